// The legacy storage surface: `storage` of `@forge/api` (up to 7.x, its last major exporting it) and
// `@forge/storage`'s `GlobalStorage` post GraphQL to `/forge/entities/graphql`. This module is only
// that wire: it executes each document against the schema the client queries
// (legacy-storage-schema.ts) and answers every field with a call on `@forge/kvs`'s own wire, so
// both clients read and write one store, with the KVS's latency, quotas, faults and metering.
//
// How answers look is what the client parses (global-storage.js): a query's refusal is the
// top-level `errors` array, a mutation's is its payload's `errors`, each `{ message, extensions:
// { errorType, statusCode } }`; the client throws `APIError(message)` for either. A missing key
// reads as `value: null` and deletes successfully. Rate limits and server errors answer with the
// HTTP status (the client's "Unknown error" / "Internal server error"): the gateway's own status.
import { graphql, GraphQLError, type ExecutionResult } from 'graphql';
import { jsonResponse } from '../kernel/http.js';
import { keyQueryCursor } from './key-query.js';
import { LEGACY_STORAGE_SCHEMA } from './legacy-storage-schema.js';
import { isRecord, type JsonRecord } from './shapes.js';

export const LEGACY_STORAGE_PATH = '/forge/entities/graphql';

/** One call on `@forge/kvs`'s wire (`/api/v1/...`), as `KvsEmulator.fetch` serves it. */
export type KvsWire = (path: string, init: RequestInit) => Promise<Response>;

/** Serves one POST to `/forge/entities/graphql`. */
export type LegacyStorageGraphql = (init: RequestInit | undefined) => Promise<Response>;

/** A 4xx the KVS answered: a GraphQL error the client turns into `APIError(message)`. */
class KvsRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  toGraphqlError(): { message: string; extensions: { errorType: string; statusCode: number } } {
    return { message: this.message, extensions: { errorType: this.code, statusCode: this.status } };
  }
}

/** A 429 or 5xx: the whole request fails with that HTTP status. */
class GatewayFailure extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

const isMissing = (error: unknown) => error instanceof KvsRefusal && error.code === 'KEY_NOT_FOUND';

export function createLegacyStorageGraphql(kvs: KvsWire): LegacyStorageGraphql {
  const call = async (path: string, body: JsonRecord): Promise<JsonRecord> => {
    const response = await kvs(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? {} : JSON.parse(text);
    const answer = isRecord(parsed) ? parsed : {};
    if (response.ok) return answer;
    if (response.status === 429 || response.status >= 500) throw new GatewayFailure(response.status);
    const code = typeof answer.code === 'string' ? answer.code : 'BAD_REQUEST';
    throw new KvsRefusal(response.status, code, typeof answer.message === 'string' ? answer.message : code);
  };

  const mutation = async (path: string, body: JsonRecord, missingIsSuccess = false) => {
    try {
      await call(path, body);
    } catch (error) {
      if (missingIsSuccess && isMissing(error)) return { success: true, errors: null };
      if (error instanceof KvsRefusal) return { success: false, errors: [error.toGraphqlError()] };
      throw error;
    }
    return { success: true, errors: null };
  };

  const getValue = async (path: string, body: JsonRecord): Promise<unknown> => {
    try {
      return (await call(path, body)).value ?? null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  };

  const listKeys = async (args: JsonRecord) => {
    const where = Array.isArray(args.where) ? args.where.filter(isRecord) : [];
    const prefixes = where.map((w) => (w.condition === 'STARTS_WITH' ? String(w.value) : undefined));
    const page = await call('/api/v1/query', {
      // The legacy STARTS_WITH on `key` is the KVS's BEGINS_WITH; anything else the KVS refuses.
      where: where.map((w) => ({
        property: w.field,
        condition: w.condition === 'STARTS_WITH' ? 'BEGINS_WITH' : w.condition,
        values: [w.value],
      })),
      ...(typeof args.first === 'number' ? { limit: args.first } : {}),
      ...(typeof args.after === 'string' ? { after: args.after } : {}),
    });
    const items = Array.isArray(page.data) ? page.data.filter(isRecord) : [];
    // Every edge carries a cursor (the client resumes after the last one, so its last page is
    // followed by an empty one); each is the KVS's own cursor for resuming after that key.
    return {
      edges: items.map((item) => ({
        node: { key: item.key, value: item.value },
        cursor: keyQueryCursor(prefixes[0], String(item.key)),
      })),
    };
  };

  const listEntities = async (args: JsonRecord) => {
    const body: JsonRecord = {};
    for (const name of [
      'entityName',
      'indexName',
      'range',
      'filters',
      'sort',
      'limit',
      'cursor',
      'partition',
    ]) {
      if (args[name] !== undefined && args[name] !== null) body[name] = args[name];
    }
    const page = await call('/api/v1/entity/query', body);
    const items = Array.isArray(page.data) ? page.data.filter(isRecord) : [];
    const cursor = typeof page.cursor === 'string' ? page.cursor : null;
    return {
      edges: items.map((item) => ({
        node: { key: item.key, value: item.value, entityName: args.entityName },
        cursor: null,
      })),
      pageInfo: { hasNextPage: cursor !== null, hasPreviousPage: typeof args.cursor === 'string' },
      totalCount: items.length,
      cursor,
    };
  };

  const input = (args: JsonRecord): JsonRecord => (isRecord(args.input) ? args.input : {});
  const secret = (i: JsonRecord) => i.encrypted === true;

  const rootValue = {
    appStoredEntity: async (args: JsonRecord) => ({
      key: args.key,
      value: await getValue(args.encrypted === true ? '/api/v1/secret/get' : '/api/v1/get', {
        key: args.key,
      }),
    }),
    appStoredEntities: listKeys,
    appStoredEntitiesForCleanup: listKeys,
    appStoredCustomEntity: async (args: JsonRecord) => ({
      key: args.key,
      entityName: args.entityName,
      value: await getValue('/api/v1/entity/get', { entityName: args.entityName, key: args.key }),
    }),
    appStoredCustomEntities: listEntities,
    appStorage: () => ({
      setAppStoredEntity: (args: JsonRecord) => {
        const i = input(args);
        return mutation(secret(i) ? '/api/v1/secret/set' : '/api/v1/set', { key: i.key, value: i.value });
      },
      deleteAppStoredEntity: (args: JsonRecord) => {
        const i = input(args);
        return mutation(secret(i) ? '/api/v1/secret/delete' : '/api/v1/delete', { key: i.key }, true);
      },
    }),
    appStorageCustomEntity: () => ({
      setAppStoredCustomEntity: (args: JsonRecord) => {
        const i = input(args);
        return mutation('/api/v1/entity/set', { entityName: i.entityName, key: i.key, value: i.value });
      },
      deleteAppStoredCustomEntity: (args: JsonRecord) => {
        const i = input(args);
        return mutation('/api/v1/entity/delete', { entityName: i.entityName, key: i.key }, true);
      },
    }),
  };

  return async (init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'POST') return jsonResponse(405, { errors: [badRequest('Use POST')] });
    const request = parseRequest(init?.body);
    if (!request) return jsonResponse(400, { errors: [badRequest('The body must be JSON with a query')] });
    const result = await graphql({
      schema: LEGACY_STORAGE_SCHEMA,
      source: request.query,
      rootValue,
      variableValues: request.variables,
      operationName: request.operationName,
    });
    for (const error of result.errors ?? []) {
      const cause = error.originalError;
      if (cause instanceof GatewayFailure) return jsonResponse(cause.status, { errors: [] });
      // A broken connection (an injected KVS timeout) fails the call as it does for `@forge/kvs`.
      if (cause && !(cause instanceof KvsRefusal) && !(cause instanceof GraphQLError)) throw cause;
    }
    return jsonResponse(200, present(result));
  };
}

function parseRequest(
  body: RequestInit['body'] | undefined,
): { query: string; variables?: JsonRecord; operationName?: string } | undefined {
  if (typeof body !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.query !== 'string') return undefined;
  return {
    query: parsed.query,
    ...(isRecord(parsed.variables) ? { variables: parsed.variables } : {}),
    ...(typeof parsed.operationName === 'string' ? { operationName: parsed.operationName } : {}),
  };
}

function badRequest(message: string) {
  return { message, extensions: { errorType: 'BAD_REQUEST', statusCode: 400 } };
}

/** GraphQL's answer, each error with the `extensions.errorType` the client destructures. */
function present(result: ExecutionResult): JsonRecord {
  if (!result.errors?.length) return { data: result.data ?? null };
  return {
    data: result.data ?? null,
    errors: result.errors.map((error) => {
      const cause = error.originalError;
      if (cause instanceof KvsRefusal) return { ...cause.toGraphqlError(), path: error.path };
      // A document or variables that do not validate against the schema.
      return { ...badRequest(error.message), ...(error.path ? { path: error.path } : {}) };
    }),
  };
}
