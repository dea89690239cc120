// Every path `@forge/kvs` calls, with its request and response shapes (see the package's
// storage-api.js): what the store does for each, and whether it is metered as a read or a write.
import type { CounterName } from '../kernel/counters.js';
import type { Namespace } from './backend.js';
import { batchDelete, batchGet, batchSet } from './batch.js';
import { queryEntity } from './entity-query.js';
import { queryKeys } from './key-query.js';
import { KvsError } from './kvs-errors.js';
import type { KvsStore } from './kvs-store.js';
import type { Access } from './quotas.js';
import { parseSetOptions } from './set-options.js';
import { presentValue, record, string, type JsonRecord } from './shapes.js';
import { runTransaction } from './transactions.js';
import { validateEntityValue, validateKey, validateValue } from './validation.js';
import { fullItem, listedItem, metadataFields } from './wire-format.js';

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface Route {
  /** Name in traces; the counter is `kvs.<op>`. */
  op: string;
  counter: CounterName;
  access: Access;
  handle(store: KvsStore, body: unknown): RouteResult;
}

type Space = 'plain' | 'secret' | 'entity';

/** An empty key is named differently on the two APIs (validation.ts). */
function keyOf(space: Space, body: JsonRecord): string {
  return validateKey(body.key, space === 'entity' ? 'entity' : 'kvs');
}

function namespace(store: KvsStore, space: Space, body: JsonRecord): Namespace {
  if (space === 'entity')
    return { kind: 'entity', entity: store.entity(string(body.entityName, 'entityName')).name };
  return { kind: space };
}

function get(space: Space) {
  return (store: KvsStore, raw: unknown): RouteResult => {
    const body = record(raw, 'The request body');
    const ns = namespace(store, space, body);
    const item = store.get(ns, keyOf(space, body));
    if (!item) throw new KvsError('KEY_NOT_FOUND');
    return { status: 200, body: fullItem(item) };
  };
}

function set(space: Space) {
  return (store: KvsStore, raw: unknown): RouteResult => {
    const body = record(raw, 'The request body');
    const ns = namespace(store, space, body);
    const key = keyOf(space, body);
    const value = presentValue(body);
    if (ns.kind === 'entity') validateEntityValue(store.entity(ns.entity), value);
    else validateValue(value);
    const { returnValue, ...options } = parseSetOptions(body.options);
    const { previous, latest } = store.put(ns, key, value, options);
    if (returnValue === 'LATEST') return { status: 200, body: fullItem(latest) };
    // With nothing before, an empty body: the client then resolves to `undefined`.
    if (returnValue === 'PREVIOUS' && previous) return { status: 200, body: fullItem(previous) };
    return { status: 204 };
  };
}

function remove(space: Space) {
  return (store: KvsStore, raw: unknown): RouteResult => {
    const body = record(raw, 'The request body');
    const ns = namespace(store, space, body);
    // 404 KEY_NOT_FOUND is what Forge answers; the client swallows it, so delete is idempotent.
    if (!store.delete(ns, keyOf(space, body))) throw new KvsError('KEY_NOT_FOUND');
    return { status: 204 };
  };
}

function route(op: string, access: Access, handle: Route['handle']): Route {
  return { op, counter: `kvs.${op}` as CounterName, access, handle };
}

export const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/api/v1/get', route('get', 'read', get('plain'))],
  ['/api/v1/set', route('set', 'write', set('plain'))],
  ['/api/v1/delete', route('delete', 'write', remove('plain'))],
  [
    '/api/v1/query',
    route('query', 'read', (store, raw) => {
      const body = record(raw, 'The request body');
      const page = queryKeys(store, body);
      const fields = metadataFields(body.options);
      return {
        status: 200,
        body: {
          data: page.items.map((i) => listedItem(i, fields)),
          ...(page.cursor ? { cursor: page.cursor } : {}),
        },
      };
    }),
  ],
  ['/api/v1/secret/get', route('secret.get', 'read', get('secret'))],
  ['/api/v1/secret/set', route('secret.set', 'write', set('secret'))],
  ['/api/v1/secret/delete', route('secret.delete', 'write', remove('secret'))],
  ['/api/v1/entity/get', route('entity.get', 'read', get('entity'))],
  ['/api/v1/entity/set', route('entity.set', 'write', set('entity'))],
  ['/api/v1/entity/delete', route('entity.delete', 'write', remove('entity'))],
  [
    '/api/v1/entity/query',
    route('entity.query', 'read', (store, raw) => {
      const body = record(raw, 'The request body');
      const page = queryEntity(store, body);
      // The client sends `options.metadataFields`; the request type also names a top-level field.
      const fields = [...metadataFields(body.options), ...metadataFields(body)];
      return {
        status: 200,
        body: {
          data: page.items.map((i) => listedItem(i, fields)),
          ...(page.cursor ? { cursor: page.cursor } : {}),
        },
      };
    }),
  ],
  [
    '/api/v1/batch/get',
    route('batch.get', 'read', (store, raw) => ({ status: 200, body: batchGet(store, raw).body })),
  ],
  [
    '/api/v1/batch/set',
    route('batch.set', 'write', (store, raw) => ({ status: 200, body: batchSet(store, raw).body })),
  ],
  [
    '/api/v1/batch/delete',
    route('batch.delete', 'write', (store, raw) => ({ status: 200, body: batchDelete(store, raw).body })),
  ],
  [
    '/api/v1/transaction',
    route('transaction', 'write', (store, raw) => {
      runTransaction(store, record(raw, 'The request body'));
      return { status: 204 };
    }),
  ],
]);
