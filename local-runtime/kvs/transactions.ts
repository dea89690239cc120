// `kvs.transact()`: sets, deletes and checks applied all or nothing. Every operation is validated
// and every condition evaluated before anything is written; one failed condition answers the
// platform profile's error (409 `CONDITIONAL_CHECK_FAILED` by default) and leaves the store as it was.
import { namespaceId, type Namespace } from './backend.js';
import { parseFilterTree, type FilterTree } from './filters.js';
import { KvsError } from './kvs-errors.js';
import type { KvsStore } from './kvs-store.js';
import { conditionsHold, failedConditionError } from './platform-profile.js';
import { isRecord, optionalList, optionalString, presentValue, record, type JsonRecord } from './shapes.js';
import { ttlMs } from './ttl.js';
import { jsonBytes, validateEntityValue, validateKey, validateValue } from './validation.js';

export const MAX_TRANSACTION_OPERATIONS = 25;
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

type Operation =
  | { kind: 'set'; ns: Namespace; key: string; conditions?: FilterTree; value: unknown; ttlMs?: number }
  | { kind: 'delete'; ns: Namespace; key: string; conditions?: FilterTree }
  | { kind: 'check'; ns: Namespace; key: string; conditions: FilterTree };

export interface TransactionOutcome {
  operations: number;
}

export function runTransaction(store: KvsStore, body: JsonRecord): TransactionOutcome {
  const sets = optionalList(body.set, 'set') ?? [];
  const deletes = optionalList(body.delete, 'delete') ?? [];
  const checks = optionalList(body.check, 'check') ?? [];
  const total = sets.length + deletes.length + checks.length;
  if (total === 0) throw new KvsError('EMPTY_TRANSACTION');
  if (total > MAX_TRANSACTION_OPERATIONS) {
    throw new KvsError(
      'TOO_MANY_TRANSACTION_OPERATIONS',
      `A transaction holds at most ${MAX_TRANSACTION_OPERATIONS} operations, got ${total}`,
    );
  }
  const operations: Operation[] = [
    ...sets.map((raw) => parseOperation(store, 'set', raw)),
    ...deletes.map((raw) => parseOperation(store, 'delete', raw)),
    ...checks.map((raw) => parseOperation(store, 'check', raw)),
  ];
  const seen = new Set<string>();
  let bytes = 0;
  for (const op of operations) {
    const id = `${namespaceId(op.ns)}\u0000${op.key}`;
    if (seen.has(id)) {
      throw new KvsError('DUPLICATE_TRANSACTION_KEY', `Key '${op.key}' appears more than once`, {
        key: op.key,
        ...(op.ns.kind === 'entity' ? { entityName: op.ns.entity } : {}),
      });
    }
    seen.add(id);
    if (op.kind === 'set') bytes += jsonBytes(op.value);
  }
  if (bytes > MAX_TRANSACTION_BYTES) throw new KvsError('TRANSACTION_TOO_LARGE');

  return store.backend.atomically(() => {
    const failed = operations.filter(
      (op) => op.conditions && !conditionsHold(store.platform, op.conditions, store.get(op.ns, op.key)),
    );
    if (failed.length > 0) {
      throw failedConditionError(store.platform, 'A transaction condition was not met; nothing was changed', {
        failed: failed.map((op) => ({
          operation: op.kind,
          key: op.key,
          ...(op.ns.kind === 'entity' ? { entityName: op.ns.entity } : {}),
        })),
      });
    }
    for (const op of operations) {
      if (op.kind === 'set')
        store.put(op.ns, op.key, op.value, op.ttlMs !== undefined ? { ttlMs: op.ttlMs } : {});
      else if (op.kind === 'delete') store.delete(op.ns, op.key);
    }
    return { operations: operations.length };
  });
}

function parseOperation(store: KvsStore, kind: Operation['kind'], raw: unknown): Operation {
  const item = record(raw, `Each ${kind} operation`);
  const entityName = optionalString(item.entityName, 'entityName');
  const key = validateKey(item.key, entityName !== undefined ? 'entity' : 'kvs');
  const entity = entityName !== undefined ? store.entity(entityName) : undefined;
  const ns: Namespace = entity ? { kind: 'entity', entity: entity.name } : { kind: 'plain' };
  let conditions: FilterTree | undefined;
  if (item.conditions !== undefined && item.conditions !== null) {
    if (!entity) throw new KvsError('CONDITIONS_NEED_ENTITY');
    conditions = parseFilterTree(item.conditions, entity);
  }
  if (kind === 'check') {
    if (!conditions) throw new KvsError('BAD_REQUEST', 'A check needs conditions');
    return { kind, ns, key, conditions };
  }
  if (kind === 'delete') return { kind, ns, key, ...(conditions ? { conditions } : {}) };
  const value = presentValue(item);
  if (entity) validateEntityValue(entity, value);
  else validateValue(value);
  const ttl = parseTransactionOptions(item.options);
  return {
    kind,
    ns,
    key,
    value,
    ...(conditions ? { conditions } : {}),
    ...(ttl !== undefined ? { ttlMs: ttl } : {}),
  };
}

/** Inside a transaction `set` takes a ttl and nothing else (no keyPolicy, no returnValue). */
function parseTransactionOptions(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw new KvsError('INVALID_TRANSACTION_OPTIONS');
  const extra = Object.keys(raw).filter((k) => k !== 'ttl' && raw[k] !== undefined);
  if (extra.length > 0) {
    throw new KvsError(
      'INVALID_TRANSACTION_OPTIONS',
      `Options not allowed in a transaction: ${extra.join(', ')}`,
    );
  }
  return ttlMs(raw.ttl);
}
