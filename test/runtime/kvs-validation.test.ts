// Every documented validation code arrives through the real `@forge/kvs` client as a
// ForgeKvsAPIError with its code and HTTP status; wire-level garbage gets a 400, never a crash.
import { ForgeKvsAPIError, kvs } from '@forge/kvs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { KVS_APP_DIR, rejectionOf } from '../fixtures/kvs-app/harness.js';

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir: KVS_APP_DIR });
});
afterEach(async () => {
  await rt.close();
});

async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ForgeKvsAPIError);
  const e = error as ForgeKvsAPIError;
  return { code: e.code, status: e.responseDetails.status };
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

describe('keys', () => {
  // An empty key is KEY_TOO_SHORT on the Key-Value Store and EMPTY_KEY on the Custom Entity Store
  // (docs: handling-errors-kvs, handling-errors-customentities).
  it.each([
    ['', 'KEY_TOO_SHORT', 'EMPTY_KEY'],
    ['   ', 'INVALID_KEY', 'INVALID_KEY'],
    ['has/slash', 'INVALID_KEY', 'INVALID_KEY'],
    ['emoji-😀', 'INVALID_KEY', 'INVALID_KEY'],
    ['a'.repeat(501), 'KEY_TOO_LONG', 'KEY_TOO_LONG'],
  ])('refuses %j with %s (entities: %s) on every operation', async (key, code, entityCode) => {
    const expected = { code, status: 400 };
    expect(await failure(kvs.set(key, 1))).toEqual(expected);
    expect(await failure(kvs.get(key))).toEqual(expected);
    expect(await failure(kvs.delete(key))).toEqual(expected);
    expect(await failure(kvs.setSecret(key, 1))).toEqual(expected);
    expect(await failure(kvs.entity('counter').set(key, { version: 1 }))).toEqual({
      code: entityCode,
      status: 400,
    });
  });

  it('accepts every allowed character and exactly 500 of them', async () => {
    const key = 'aZ09:._ \t-#';
    await kvs.set(key, 1);
    expect(await kvs.get(key)).toBe(1);
    await kvs.set('k'.repeat(500), 2);
    expect(await kvs.get('k'.repeat(500))).toBe(2);
  });
});

describe('values', () => {
  it('refuses a value over 240 KiB with MAX_SIZE and accepts one just under', async () => {
    expect(await failure(kvs.set('big', 'x'.repeat(240 * 1024)))).toEqual({ code: 'MAX_SIZE', status: 400 });
    expect(await failure(kvs.entity('task').set('big', { title: 'x'.repeat(240 * 1024) }))).toEqual({
      code: 'MAX_SIZE',
      status: 400,
    });
    // The stored JSON string has two quote characters.
    await kvs.set('fits', 'x'.repeat(240 * 1024 - 2));
    expect(((await kvs.get('fits')) as string).length).toBe(240 * 1024 - 2);
    expect(rt.kvs.inspect.get('big')).toBeUndefined();
  });

  it('refuses nesting deeper than 31 with MAX_DEPTH and accepts 31', async () => {
    expect(await failure(kvs.set('deep', nested(32)))).toEqual({ code: 'MAX_DEPTH', status: 400 });
    expect(await failure(kvs.set('deep', [nested(31)]))).toEqual({ code: 'MAX_DEPTH', status: 400 });
    await kvs.set('ok', nested(31));
    expect(await kvs.get('ok')).toEqual(nested(31));
  });
});

describe('the wire', () => {
  const post = (path: string, body: string | undefined, method = 'POST') =>
    rt.kvs.fetch(path, { method, body, headers: { 'content-type': 'application/json' } });

  it('answers malformed JSON and wrong shapes with 400 and a code', async () => {
    const cases: Array<[string, string | undefined, string]> = [
      ['/api/v1/set', '{"key": "a", "value":', 'MALFORMED_JSON'],
      ['/api/v1/set', undefined, 'BAD_REQUEST'],
      ['/api/v1/set', '[1, 2]', 'BAD_REQUEST'],
      ['/api/v1/set', '{"key": "a"}', 'BAD_REQUEST'],
      ['/api/v1/get', '"just a string"', 'BAD_REQUEST'],
      ['/api/v1/get', '{"key": 5}', 'INVALID_KEY'],
      ['/api/v1/query', '{"where": "key"}', 'BAD_REQUEST'],
      [
        '/api/v1/query',
        '{"where": [{"property": "value", "condition": "BEGINS_WITH", "values": ["a"]}]}',
        'BAD_REQUEST',
      ],
      ['/api/v1/entity/get', '{"key": "a"}', 'BAD_REQUEST'],
      ['/api/v1/entity/query', '{"entityName": "task"}', 'BAD_REQUEST'],
      [
        '/api/v1/entity/query',
        '{"entityName": "task", "indexName": "priority", "filters": {"and": [1]}}',
        'BAD_REQUEST',
      ],
      [
        '/api/v1/entity/query',
        '{"entityName": "task", "indexName": "priority", "filters": {"and": [{"property": "title", "condition": "EQUAL_TO", "values": ["a"]}], "or": [{"property": "title", "condition": "EQUAL_TO", "values": ["b"]}]}}',
        'INVALID_FILTER_OPERATORS_COMBINATION',
      ],
      [
        '/api/v1/entity/query',
        '{"entityName": "task", "indexName": "priority", "filters": {"and": []}}',
        'EMPTY_FILTER_OPERATOR',
      ],
      [
        '/api/v1/entity/query',
        '{"entityName": "task", "indexName": "priority", "filters": {}}',
        'EMPTY_FILTER_OPERATOR',
      ],
      [
        '/api/v1/entity/query',
        '{"entityName": "task", "indexName": "priority", "sort": "UP"}',
        'INVALID_SORT',
      ],
      ['/api/v1/batch/set', '{"key": "a"}', 'BAD_REQUEST'],
      ['/api/v1/batch/get', '[null]', 'BAD_REQUEST'],
      ['/api/v1/transaction', '{}', 'EMPTY_TRANSACTION'],
      ['/api/v1/transaction', '{"set": {"key": "a"}}', 'BAD_REQUEST'],
      ['/api/v1/transaction', '{"check": [{"key": "a", "entityName": "counter"}]}', 'BAD_REQUEST'],
      [
        '/api/v1/set',
        '{"key": "a", "value": 1, "options": {"keyPolicy": "SOMETIMES"}}',
        'INVALID_SET_OPTIONS',
      ],
    ];
    for (const [path, body, code] of cases) {
      const response = await post(path, body);
      expect({ path, body, status: response.status }).toEqual({ path, body, status: 400 });
      expect(await response.json()).toMatchObject({ code, message: expect.any(String) });
    }
    expect(rt.kvs.inspect.list()).toEqual([]);
  });

  it('answers an unknown path with 404 and a non-POST with 405', async () => {
    const unknown = await post('/api/v1/everything', '{}');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
    const get = await post('/api/v1/get', undefined, 'GET');
    expect(get.status).toBe(405);
  });

  it('a missing key is 404 KEY_NOT_FOUND on the wire', async () => {
    const response = await post('/api/v1/get', '{"key": "nothing"}');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'KEY_NOT_FOUND' });
  });
});
