// Conformance of plain keys and secrets: the real `@forge/kvs` package against the local runtime.
import { ForgeKvsAPIError, kvs, MetadataField } from '@forge/kvs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { CONDITIONAL_CHECK_FAILED } from '../../local-runtime/kvs/kvs-emulator.js';
import { KVS_APP_DIR, rejectionOf } from '../fixtures/kvs-app/harness.js';

const START = Date.UTC(2026, 0, 1);
let rt: LocalForgeRuntime;

beforeEach(async () => {
  rt = await createRuntime({ appDir: KVS_APP_DIR, startTime: START });
});
afterEach(async () => {
  await rt.close();
});

describe('get / set / delete', () => {
  it('round-trips JSON values of every kind and reads a missing key as undefined', async () => {
    const values: Record<string, unknown> = {
      'str:1': 'hello',
      'num:1': 42.5,
      'bool:1': false,
      'null:1': null,
      'obj:1': { a: [1, 2, { b: 'c' }], d: { e: true } },
      'arr:1': ['x', 1, null],
    };
    for (const [key, value] of Object.entries(values)) await kvs.set(key, value);
    for (const [key, value] of Object.entries(values)) expect(await kvs.get(key)).toEqual(value);
    expect(await kvs.get('missing')).toBeUndefined();
    expect(rt.kvs.inspect.get('obj:1')).toEqual(values['obj:1']);
  });

  it('overwrites (last write wins) and deletes; deleting a missing key is a no-op', async () => {
    await kvs.set('k', 1);
    await kvs.set('k', 2);
    expect(await kvs.get('k')).toBe(2);
    await kvs.delete('k');
    expect(await kvs.get('k')).toBeUndefined();
    await expect(kvs.delete('k')).resolves.toBeUndefined();
  });

  it('stores a copy: mutating the object after set does not change the stored value', async () => {
    const value = { n: 1 };
    await kvs.set('copy', value);
    value.n = 2;
    expect(await kvs.get('copy')).toEqual({ n: 1 });
  });

  it('answers metadata fields on get: createdAt stays, updatedAt moves, in the clock time', async () => {
    await kvs.set('meta', 'a');
    await rt.advance(5_000);
    await kvs.set('meta', 'b');
    const got = await kvs.get('meta', {
      metadataFields: [MetadataField.CREATED_AT, MetadataField.UPDATED_AT, MetadataField.EXPIRE_TIME],
    });
    expect(got).toEqual({
      key: 'meta',
      value: 'b',
      createdAt: START / 1000,
      updatedAt: START / 1000 + 5,
      expireTime: undefined,
    });
  });
});

describe('set options', () => {
  it('FAIL_IF_EXISTS refuses an existing key with 409 CONDITIONAL_CHECK_FAILED and keeps the old value', async () => {
    await kvs.set('once', 'first', { keyPolicy: 'FAIL_IF_EXISTS' });
    const error = await rejectionOf(kvs.set('once', 'second', { keyPolicy: 'FAIL_IF_EXISTS' }));
    expect(error).toBeInstanceOf(ForgeKvsAPIError);
    expect((error as ForgeKvsAPIError).code).toBe(CONDITIONAL_CHECK_FAILED);
    expect((error as ForgeKvsAPIError).responseDetails.status).toBe(409);
    expect(await kvs.get('once')).toBe('first');
    expect(rt.metered()['kvs.failedConditions']).toBe(1);
  });

  it('FAIL_IF_EXISTS succeeds again once the key expired', async () => {
    await kvs.set('lease', 'a', { keyPolicy: 'FAIL_IF_EXISTS', ttl: { value: 10, unit: 'SECONDS' } });
    await rt.advance(10_000);
    await kvs.set('lease', 'b', { keyPolicy: 'FAIL_IF_EXISTS' });
    expect(await kvs.get('lease')).toBe('b');
  });

  it('returnValue PREVIOUS answers the replaced item, or undefined when there was none', async () => {
    const first = await kvs.set('rv', 'v1', { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' });
    expect(first).toBeUndefined();
    const second = await kvs.set('rv', 'v2', { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' });
    expect(second).toEqual({ key: 'rv', value: 'v1' });
    expect(await kvs.get('rv')).toBe('v2');
  });

  it('returnValue LATEST answers the written item with the asked-for metadata', async () => {
    await kvs.set('rl', 'old');
    await rt.advance(2_000);
    const latest = await kvs.set('rl', 'new', {
      keyPolicy: 'OVERRIDE',
      returnValue: 'LATEST',
      returnMetadataFields: [MetadataField.CREATED_AT, MetadataField.UPDATED_AT, MetadataField.EXPIRE_TIME],
      ttl: { value: 1, unit: 'HOURS' },
    });
    expect(latest).toEqual({
      key: 'rl',
      value: 'new',
      createdAt: START / 1000,
      updatedAt: START / 1000 + 2,
      expireTime: new Date(START + 2_000 + 3_600_000).toISOString().replace('.000Z', 'Z'),
    });
  });

  it('refuses returnValue without keyPolicy OVERRIDE', async () => {
    const error = await rejectionOf(
      kvs.set('bad', 1, { keyPolicy: 'FAIL_IF_EXISTS', returnValue: 'LATEST' } as unknown as {
        keyPolicy: 'OVERRIDE';
        returnValue: 'LATEST';
      }),
    );
    expect(error).toMatchObject({ code: 'INVALID_SET_OPTIONS', responseDetails: { status: 400 } });
    expect(await kvs.get('bad')).toBeUndefined();
  });
});

describe('ttl', () => {
  it('expires an item in virtual time, on get, query and the inspector', async () => {
    await kvs.set('ttl:short', 'x', { ttl: { value: 30, unit: 'SECONDS' } });
    await kvs.set('ttl:long', 'y', { ttl: { value: 2, unit: 'DAYS' } });
    await kvs.set('ttl:none', 'z');
    await rt.advance(29_999);
    expect(await kvs.get('ttl:short')).toBe('x');
    await rt.advance(1);
    expect(await kvs.get('ttl:short')).toBeUndefined();
    const { results } = await kvs
      .query()
      .where('key', { condition: 'BEGINS_WITH', values: ['ttl:'] })
      .getMany();
    expect(results.map((r) => r.key)).toEqual(['ttl:long', 'ttl:none']);
    expect(results[0]!.expireTime).toBe('2026-01-03T00:00:00Z');
    expect(rt.kvs.inspect.list('ttl:').map((i) => i.key)).toEqual(['ttl:long', 'ttl:none']);
    await rt.advance(2 * 86_400_000);
    expect(await kvs.get('ttl:long')).toBeUndefined();
    expect(await kvs.get('ttl:none')).toBe('z');
  });

  it('a set without ttl clears an earlier expiry', async () => {
    await kvs.set('renew', 1, { ttl: { value: 1, unit: 'MINUTES' } });
    await kvs.set('renew', 2);
    await rt.advance(120_000);
    expect(await kvs.get('renew')).toBe(2);
  });

  it.each([
    [{ value: 366, unit: 'DAYS' }],
    [{ value: 0, unit: 'SECONDS' }],
    [{ value: 1.5, unit: 'HOURS' }],
    [{ value: 1, unit: 'WEEKS' }],
  ])('refuses ttl %j with INVALID_TTL', async (ttl) => {
    const error = await rejectionOf(
      kvs.set('t', 1, { ttl } as unknown as { ttl: { value: number; unit: 'DAYS' } }),
    );
    expect(error).toMatchObject({ code: 'INVALID_TTL', responseDetails: { status: 400 } });
  });

  it('accepts exactly one year', async () => {
    await kvs.set('year', 1, { ttl: { value: 365, unit: 'DAYS' } });
    expect(await kvs.get('year')).toBe(1);
  });
});

describe('query', () => {
  it('lists keys by prefix in key order, page by page with the cursor', async () => {
    const keys = Array.from({ length: 23 }, (_, i) => `item:${String(i).padStart(3, '0')}`);
    // Written out of order, plus keys that must not show up: other prefixes, secrets, entities.
    for (const key of [...keys].reverse()) await kvs.set(key, { n: key });
    await kvs.set('other:1', 1);
    await kvs.set('itemz', 1);
    await kvs.setSecret('item:secret', 's');
    await kvs.entity('counter').set('item:entity', { name: 'c', version: 1, value: 1 });

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      let query = kvs
        .query()
        .where('key', { condition: 'BEGINS_WITH', values: ['item:'] })
        .limit(10);
      if (cursor) query = query.cursor(cursor);
      const page = await query.getMany<{ n: string }>();
      pages.push(page.results.map((r) => r.key));
      for (const r of page.results) expect(r.value).toEqual({ n: r.key });
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([keys.slice(0, 10), keys.slice(10, 20), keys.slice(20)]);
  });

  it('lists every plain key without a where clause, 10 per page by default', async () => {
    for (let i = 0; i < 12; i++) await kvs.set(`k${String(i).padStart(2, '0')}`, i);
    const first = await kvs.query().getMany();
    expect(first.results).toHaveLength(10);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await kvs.query().cursor(first.nextCursor!).getMany();
    expect(second.results.map((r) => r.value)).toEqual([10, 11]);
    expect(second.nextCursor).toBeUndefined();
    expect(
      await kvs
        .query()
        .where('key', { condition: 'BEGINS_WITH', values: ['k05'] })
        .getOne(),
    ).toEqual({ key: 'k05', value: 5 });
  });

  it('refuses a limit out of 1..100 and a cursor from another query', async () => {
    for (const limit of [0, 101]) {
      const error = await rejectionOf(kvs.query().limit(limit).getMany());
      expect(error).toMatchObject({
        code: 'COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE',
        responseDetails: { status: 400 },
      });
    }
    for (let i = 0; i < 3; i++) await kvs.set(`a${i}`, i);
    const { nextCursor } = await kvs
      .query()
      .where('key', { condition: 'BEGINS_WITH', values: ['a'] })
      .limit(1)
      .getMany();
    const error = await rejectionOf(
      kvs
        .query()
        .where('key', { condition: 'BEGINS_WITH', values: ['b'] })
        .cursor(nextCursor!)
        .getMany(),
    );
    expect(error).toMatchObject({ code: 'INVALID_CURSOR', responseDetails: { status: 400 } });
    const garbage = await rejectionOf(kvs.query().cursor('not-a-cursor').getMany());
    expect(garbage).toMatchObject({ code: 'INVALID_CURSOR' });
  });
});

describe('secrets', () => {
  it('keeps secrets apart from plain keys', async () => {
    await kvs.setSecret('token', { apiKey: 'shh' });
    await kvs.set('token', 'public');
    expect(await kvs.getSecret('token')).toEqual({ apiKey: 'shh' });
    expect(await kvs.get('token')).toBe('public');
    expect(rt.kvs.inspect.getSecret('token')).toEqual({ apiKey: 'shh' });
    await kvs.deleteSecret('token');
    expect(await kvs.getSecret('token')).toBeUndefined();
    expect(await kvs.get('token')).toBe('public');
    expect(rt.metered()['kvs.secret.set']).toBe(1);
    expect(rt.metered()['kvs.secret.get']).toBe(2);
    expect(rt.metered()['kvs.secret.delete']).toBe(1);
  });

  it('supports FAIL_IF_EXISTS and returnValue on secrets', async () => {
    await kvs.setSecret('s', 1, { keyPolicy: 'FAIL_IF_EXISTS' });
    await expect(kvs.setSecret('s', 2, { keyPolicy: 'FAIL_IF_EXISTS' })).rejects.toMatchObject({
      code: CONDITIONAL_CHECK_FAILED,
    });
    expect(await kvs.setSecret('s', 3, { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' })).toEqual({
      key: 's',
      value: 1,
    });
  });
});

describe('batch operations', () => {
  it('sets, gets and deletes plain keys and entities, reporting failures per key', async () => {
    const set = await kvs.batchSet<unknown>([
      { key: 'b1', value: 'one' },
      { key: 'b2', value: { two: 2 }, options: { ttl: { value: 1, unit: 'MINUTES' } } },
      { key: 't1', value: { project: 'P', priority: 1 }, entityName: 'task' },
      { key: 't2', value: { priority: 'high' }, entityName: 'task' },
      { key: 'bad key!', value: 1 },
      { key: 'x', value: 1, entityName: 'no-such-entity' },
    ]);
    expect(set.successfulKeys).toEqual([{ key: 'b1' }, { key: 'b2' }, { key: 't1', entityName: 'task' }]);
    expect(set.failedKeys).toEqual([
      { key: 't2', entityName: 'task', error: { code: 'INVALID_ENTITY_VALUE', message: expect.any(String) } },
      { key: 'bad key!', error: { code: 'INVALID_KEY', message: expect.any(String) } },
      {
        key: 'x',
        entityName: 'no-such-entity',
        error: { code: 'UNKNOWN_ENTITY', message: expect.any(String) },
      },
    ]);
    expect(rt.kvs.inspect.getEntity('task', 't1')).toEqual({ project: 'P', priority: 1 });
    expect(rt.kvs.inspect.getEntity('task', 't2')).toBeUndefined();

    const got = await kvs.batchGet([
      { key: 'b1' },
      { key: 'b2' },
      { key: 't1', entityName: 'task' },
      { key: 'nope' },
    ]);
    expect(got.successfulKeys).toEqual([
      { key: 'b1', value: 'one' },
      { key: 'b2', value: { two: 2 }, expireTime: '2026-01-01T00:01:00Z' },
      { key: 't1', entityName: 'task', value: { project: 'P', priority: 1 } },
    ]);
    expect(got.failedKeys).toEqual([
      { key: 'nope', error: { code: 'KEY_NOT_FOUND', message: expect.any(String) } },
    ]);

    const deleted = await kvs.batchDelete([{ key: 'b1' }, { key: 't1', entityName: 'task' }]);
    expect(deleted).toEqual({
      successfulKeys: [{ key: 'b1' }, { key: 't1', entityName: 'task' }],
      failedKeys: [],
    });
    expect(await kvs.get('b1')).toBeUndefined();
    expect(await kvs.entity('task').get('t1')).toBeUndefined();
    expect(await kvs.get('b2')).toEqual({ two: 2 });
  });

  it('refuses an empty batch, more than 25 keys, and a key named twice, changing nothing', async () => {
    await expect(kvs.batchSet([])).rejects.toMatchObject({
      code: 'EMPTY_BATCH',
      responseDetails: { status: 400 },
    });
    const many = Array.from({ length: 26 }, (_, i) => ({ key: `m${i}`, value: i }));
    await expect(kvs.batchSet(many)).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });
    await expect(kvs.batchSet(many.slice(0, 25))).resolves.toMatchObject({ failedKeys: [] });
    await expect(
      kvs.batchSet([
        { key: 'dup', value: 1 },
        { key: 'dup', value: 2 },
      ]),
    ).rejects.toMatchObject({ code: 'DUPLICATE_BATCH_KEY' });
    expect(await kvs.get('dup')).toBeUndefined();
    // The same key in two namespaces is two items.
    await expect(
      kvs.batchSet<unknown>([
        { key: 'same', value: 1 },
        { key: 'same', value: { name: 'x' }, entityName: 'counter' },
      ]),
    ).resolves.toMatchObject({ failedKeys: [] });
  });

  it('meters a batch as one request', async () => {
    await kvs.batchSet([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    await kvs.batchGet([{ key: 'a' }, { key: 'b' }]);
    const m = rt.metered();
    expect(m['kvs.batch.set']).toBe(1);
    expect(m['kvs.batch.get']).toBe(1);
    expect(m['kvs.requests']).toBe(2);
    expect(m['kvs.writeRequests']).toBe(1);
    expect(m['kvs.readRequests']).toBe(1);
  });
});
