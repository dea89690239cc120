// `kvs.query()`: plain keys in key order, optionally `where('key', beginsWith(prefix))`, paged by
// an opaque `after` cursor. Secrets and entities are never listed.
import type { StoredItem } from './backend.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { KvsError } from './kvs-errors.js';
import { pageLimit } from './page-limit.js';
import type { KvsStore } from './kvs-store.js';
import { isRecord, optionalList, optionalString, type JsonRecord } from './shapes.js';

export interface KeyQueryPage {
  items: StoredItem[];
  cursor?: string;
  prefix?: string;
}

export function queryKeys(store: KvsStore, body: JsonRecord): KeyQueryPage {
  const limit = pageLimit(body.limit, store.platform.defaultPageSize);
  const prefix = parsePrefix(optionalList(body.where, 'where'));
  const after = optionalString(body.after, 'after');
  const afterKey = after !== undefined ? decodeCursor(after, fingerprint(prefix)).k : undefined;
  if (afterKey !== undefined && typeof afterKey !== 'string') throw new KvsError('INVALID_CURSOR');
  // One extra item tells whether another page exists, so the last page carries no cursor.
  const found = store.list({ kind: 'plain' }, { prefix, after: afterKey, limit: limit + 1 });
  const items = found.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    ...(found.length > limit && last ? { cursor: keyQueryCursor(prefix, last.key) } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
  };
}

const fingerprint = (prefix: string | undefined) => `keys:${prefix ?? ''}`;

/** The cursor that resumes a key query (with this prefix) after `key`; legacy storage gives one per item. */
export function keyQueryCursor(prefix: string | undefined, key: string): string {
  return encodeCursor({ q: fingerprint(prefix), k: key });
}

function parsePrefix(where: unknown[] | undefined): string | undefined {
  if (!where || where.length === 0) return undefined;
  if (where.length > 1) throw new KvsError('BAD_REQUEST', 'query takes one where clause');
  const clause = where[0];
  if (!isRecord(clause) || clause.property !== 'key')
    throw new KvsError('BAD_REQUEST', "query filters on 'key' only");
  if (clause.condition !== 'BEGINS_WITH') {
    throw new KvsError('INVALID_FILTER_CONDITION', 'query supports only BEGINS_WITH on the key');
  }
  const values = Array.isArray(clause.values) ? clause.values : [];
  if (values.length < 1) throw new KvsError('INSUFFICIENT_FILTER_VALUES');
  const prefix = values[0];
  if (typeof prefix !== 'string' && typeof prefix !== 'number')
    throw new KvsError('INVALID_FILTER_CONDITION');
  return String(prefix);
}
