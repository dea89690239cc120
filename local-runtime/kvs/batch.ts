// `kvs.batchSet / batchGet / batchDelete`: up to 25 keys, each done on its own; a bad item lands
// in `failedKeys` while the others succeed. An empty batch, one over the limits, or one naming a
// key twice fails as a whole (docs: storage-reference/entities-batch).
import type { Namespace } from './backend.js';
import { KvsError } from './kvs-errors.js';
import type { KvsStore } from './kvs-store.js';
import { isRecord, list, optionalString, presentValue, record, type JsonRecord } from './shapes.js';
import { ttlMs } from './ttl.js';
import { jsonBytes, validateEntityValue, validateKey, validateValue } from './validation.js';
import { listedItem, metadataFields } from './wire-format.js';

export const MAX_BATCH_KEYS = 25;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

interface BatchItem {
  raw: JsonRecord;
  key: unknown;
  entityName?: string;
}

export interface BatchOutcome {
  body: { successfulKeys: JsonRecord[]; failedKeys: JsonRecord[] };
  keys: number;
}

export function batchSet(store: KvsStore, body: unknown): BatchOutcome {
  const items = batchItems(body);
  if (jsonBytes(body) > MAX_BATCH_BYTES) throw new KvsError('BATCH_TOO_LARGE');
  return eachItem(items, (item) => {
    const { ns, key } = target(store, item);
    const value = presentValue(item.raw);
    if (ns.kind === 'entity') validateEntityValue(store.entity(ns.entity), value);
    else validateValue(value);
    const options = item.raw.options;
    const ttl = isRecord(options) ? ttlMs(options.ttl) : undefined;
    store.put(ns, key, value, ttl !== undefined ? { ttlMs: ttl } : {});
    return {};
  });
}

export function batchGet(store: KvsStore, body: unknown): BatchOutcome {
  return eachItem(batchItems(body), (item) => {
    const { ns, key } = target(store, item);
    const found = store.get(ns, key);
    if (!found) throw new KvsError('KEY_NOT_FOUND');
    return listedItem(found, metadataFields(item.raw.options));
  });
}

/** Deleting a missing key succeeds, as a single `delete` does for the caller. */
export function batchDelete(store: KvsStore, body: unknown): BatchOutcome {
  return eachItem(batchItems(body), (item) => {
    const { ns, key } = target(store, item);
    store.delete(ns, key);
    return {};
  });
}

function batchItems(body: unknown): BatchItem[] {
  const raw = list(body, 'A batch request');
  if (raw.length === 0) throw new KvsError('EMPTY_BATCH');
  if (raw.length > MAX_BATCH_KEYS)
    throw new KvsError('BATCH_TOO_LARGE', `A batch holds at most ${MAX_BATCH_KEYS} keys, got ${raw.length}`);
  const seen = new Set<string>();
  return raw.map((entry) => {
    const item = record(entry, 'Each batch item');
    const entityName = optionalString(item.entityName, 'entityName');
    const id = `${entityName ?? ''}\u0000${String(item.key)}`;
    if (seen.has(id))
      throw new KvsError('DUPLICATE_BATCH_KEY', `Key '${String(item.key)}' appears more than once`);
    seen.add(id);
    return { raw: item, key: item.key, ...(entityName !== undefined ? { entityName } : {}) };
  });
}

function target(store: KvsStore, item: BatchItem): { ns: Namespace; key: string } {
  const key = validateKey(item.key, item.entityName === undefined ? 'kvs' : 'entity');
  if (item.entityName === undefined) return { ns: { kind: 'plain' }, key };
  return { ns: { kind: 'entity', entity: store.entity(item.entityName).name }, key };
}

function eachItem(items: BatchItem[], run: (item: BatchItem) => JsonRecord): BatchOutcome {
  const successfulKeys: JsonRecord[] = [];
  const failedKeys: JsonRecord[] = [];
  for (const item of items) {
    const ids = { key: item.key, ...(item.entityName !== undefined ? { entityName: item.entityName } : {}) };
    try {
      successfulKeys.push({ ...ids, ...run(item) });
    } catch (error) {
      if (!(error instanceof KvsError)) throw error;
      failedKeys.push({ ...ids, error: { code: error.code, message: error.message } });
    }
  }
  return { body: { successfulKeys, failedKeys }, keys: items.length };
}
