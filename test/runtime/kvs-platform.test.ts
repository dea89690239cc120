// What every KVS request goes through on Forge, emulated: quotas, injected faults, latency,
// metering, tracing; and the SQLite backend keeping data across runtimes.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Filter, FilterConditions, ForgeKvsAPIError, kvs } from '@forge/kvs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { KVS_APP_DIR, rejectionOf } from '../fixtures/kvs-app/harness.js';

let rt: LocalForgeRuntime | undefined;
const tempDirs: string[] = [];
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  rt = await createRuntime({ appDir: KVS_APP_DIR, ...options });
  return rt;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ForgeKvsAPIError);
  const e = error as ForgeKvsAPIError;
  return { code: e.code, status: e.responseDetails.status };
}

describe('quotas', () => {
  it('limits requests per second, counted on the runtime clock', async () => {
    const runtime = await open({ quotas: { requestsPerSecond: 3 } });
    for (let i = 0; i < 3; i++) await kvs.set(`k${i}`, i);
    expect(await failure(kvs.set('k3', 3))).toEqual({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    expect(await failure(kvs.get('k0'))).toEqual({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    expect(await failure(kvs.transact().set('t', 1).execute())).toEqual({
      code: 'TOO_MANY_REQUESTS',
      status: 429,
    });
    expect(runtime.kvs.inspect.get('k3')).toBeUndefined();
    expect(runtime.metered()['kvs.rateLimited']).toBe(3);
    expect(runtime.metered()['kvs.requests']).toBe(3);
    await runtime.advance(1000);
    await kvs.set('k3', 3);
    expect(await kvs.get('k3')).toBe(3);
  });

  it('limits write units per minute; each request costs its size in 10 KB units', async () => {
    const runtime = await open({ quotas: { writeUnitsPerMinute: 5 } });
    const fifteenKb = 'x'.repeat(15 * 1024); // 2 units
    await kvs.set('a', fifteenKb);
    await kvs.set('b', fifteenKb);
    expect(await failure(kvs.set('c', fifteenKb))).toEqual({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    await kvs.set('small', 1); // 1 unit still fits
    expect(await failure(kvs.set('small2', 1))).toEqual({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    // Reads have their own budget.
    expect(await kvs.get('a')).toBe(fifteenKb);
    await runtime.advance(60_000);
    await kvs.set('c', fifteenKb);
    expect(runtime.metered()['kvs.writeUnits']).toBe(2 + 2 + 1 + 2);
  });

  it('limits read units per minute', async () => {
    const runtime = await open({ quotas: { readUnitsPerMinute: 3 } });
    await kvs.set('big', 'y'.repeat(25 * 1024)); // 3 units to read
    await kvs.get('big');
    expect(await failure(kvs.get('big'))).toEqual({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    expect(await failure(kvs.query().getMany())).toEqual({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    await runtime.advance(60_000);
    expect(await kvs.get('big')).toHaveLength(25 * 1024);
    expect(runtime.metered()['kvs.readUnits']).toBe(6);
  });

  it("is on by default with Forge's 1000 requests per second, and `false` turns it off", async () => {
    await open();
    const calls = Array.from({ length: 1000 }, (_, i) => kvs.get(`k${i}`));
    await Promise.all(calls);
    expect(await failure(kvs.get('one-more'))).toEqual({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    await rt!.close();
    await open({ quotas: false });
    await Promise.all(Array.from({ length: 1200 }, (_, i) => kvs.get(`k${i}`)));
    expect(rt!.metered()['kvs.rateLimited']).toBe(0);
  });
});

describe('injected faults', () => {
  it('serverError answers 500 and changes nothing', async () => {
    const runtime = await open({ seed: 7, faults: { kvs: { serverError: 1 } } });
    expect(await failure(kvs.set('a', 1))).toEqual({ code: 'INTERNAL_SERVER_ERROR', status: 500 });
    expect(await failure(kvs.transact().set('b', 1).execute())).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      status: 500,
    });
    expect(runtime.kvs.inspect.list()).toEqual([]);
    const m = runtime.metered();
    expect(m['kvs.injectedErrors']).toBe(2);
    expect(m['kvs.requests']).toBe(0);
  });

  it('rateLimited answers 429 RATE_LIMIT_EXCEEDED and changes nothing', async () => {
    const runtime = await open({ seed: 7, faults: { kvs: { rateLimited: 1 } } });
    expect(await failure(kvs.set('a', 1))).toEqual({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    expect(runtime.kvs.inspect.get('a')).toBeUndefined();
    expect(runtime.metered()['kvs.rateLimited']).toBe(1);
  });

  it('timeout rejects the call; about half the time the write happened anyway, the same way per seed', async () => {
    const appliedKeys = async (seed: number) => {
      const runtime = await open({ seed, faults: { kvs: { timeout: 1 } } });
      for (let i = 0; i < 20; i++) {
        const error = await rejectionOf(kvs.set(`t${i}`, i));
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toBe('KVS request timed out');
      }
      const keys = runtime.kvs.inspect.list().map((item) => item.key);
      expect(runtime.metered()['kvs.injectedErrors']).toBe(20);
      expect(runtime.metered()['kvs.requests']).toBe(keys.length);
      await runtime.close();
      return keys;
    };
    const first = await appliedKeys(42);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(20);
    expect(await appliedKeys(42)).toEqual(first);
    expect(await appliedKeys(43)).not.toEqual(first);
  });

  it('a partial fault rate fails some calls and the same ones for the same seed', async () => {
    const outcomes = async (seed: number) => {
      await open({ seed, faults: { kvs: { serverError: 0.3 } } });
      const result: boolean[] = [];
      for (let i = 0; i < 30; i++)
        result.push(
          await kvs.set(`k${i}`, i).then(
            () => true,
            () => false,
          ),
        );
      await rt!.close();
      return result;
    };
    const a = await outcomes(5);
    expect(a.filter((ok) => !ok).length).toBeGreaterThan(0);
    expect(a.filter((ok) => ok).length).toBeGreaterThan(0);
    expect(await outcomes(5)).toEqual(a);
  });
});

describe('latency', () => {
  it('reads and writes take their modelled time on the virtual clock', async () => {
    const runtime = await open({ latency: { kvsRead: 40, kvsWrite: [100, 100] } });
    const t0 = runtime.clock.now();
    await kvs.set('a', 1);
    expect(runtime.clock.now() - t0).toBe(100);
    await kvs.get('a');
    expect(runtime.clock.now() - t0).toBe(140);
    await kvs.entity('task').query().index('priority').getMany();
    expect(runtime.clock.now() - t0).toBe(180);
  });
});

describe('metering and tracing', () => {
  it('counts every request by kind, read or write, in 10 KB units', async () => {
    const runtime = await open({ trace: true });
    await kvs.set('a', 'x'.repeat(25 * 1024)); // 3 write units
    await kvs.get('a'); // 3 read units
    await kvs.get('missing'); // 1 read unit
    await kvs.delete('a'); // 1 write unit
    await kvs.query().getMany(); // 1 read unit
    await kvs.entity('task').set('t', { priority: 1 });
    await kvs.entity('task').query().index('priority').getMany();
    await expect(kvs.set('bad key!', 1)).rejects.toBeInstanceOf(ForgeKvsAPIError);
    const m = runtime.metered();
    expect(m).toMatchObject({
      'kvs.set': 2,
      'kvs.get': 2,
      'kvs.delete': 1,
      'kvs.query': 1,
      'kvs.entity.set': 1,
      'kvs.entity.query': 1,
      'kvs.requests': 8,
      'kvs.readRequests': 4,
      'kvs.writeRequests': 4,
      'kvs.readUnits': 3 + 1 + 1 + 1,
      'kvs.writeUnits': 3 + 1 + 1 + 1,
    });
    const trace = runtime
      .trace()
      .filter((e) => e.kind === 'kvs')
      .map((e) => e.detail);
    expect(trace).toEqual([
      { op: 'set', key: 'a', status: 204 },
      { op: 'get', key: 'a', status: 200 },
      { op: 'get', key: 'missing', status: 404 },
      { op: 'delete', key: 'a', status: 204 },
      { op: 'query', status: 200 },
      { op: 'entity.set', entity: 'task', key: 't', status: 204 },
      { op: 'entity.query', entity: 'task', index: 'priority', status: 200 },
      { op: 'set', key: 'bad key!', status: 400 },
    ]);
  });

  it('counts failed conditions', async () => {
    const runtime = await open();
    await kvs.entity('counter').set('c', { version: 2 });
    const stale = new Filter<{ version: number }>().and('version', FilterConditions.equalTo(1));
    await expect(
      kvs.transact().set('c', { version: 2 }, { entityName: 'counter', conditions: stale }).execute(),
    ).rejects.toMatchObject({
      code: 'CONDITIONAL_CHECK_FAILED',
    });
    await expect(kvs.set('x', 1, { keyPolicy: 'FAIL_IF_EXISTS' })).resolves.toBeUndefined();
    await expect(kvs.set('x', 1, { keyPolicy: 'FAIL_IF_EXISTS' })).rejects.toMatchObject({
      code: 'CONDITIONAL_CHECK_FAILED',
    });
    expect(runtime.metered()['kvs.failedConditions']).toBe(2);
  });
});

describe('SQLite storage', () => {
  function tempFile(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvs-sqlite-'));
    tempDirs.push(dir);
    return path.join(dir, 'nested', 'kvs.db');
  }

  it('keeps plain keys, secrets, entities and expiry across runtimes on the same file', async () => {
    const file = tempFile();
    const first = await open({ storage: { kind: 'sqlite', file } });
    await kvs.set('plain', { a: [1, 2] });
    await kvs.setSecret('secret', 'shh');
    await kvs.entity('task').set('t1', { project: 'p', priority: 2, title: 'two' });
    await kvs.entity('task').set('t2', { project: 'p', priority: 1, title: 'one' });
    await kvs.set('short', 1, { ttl: { value: 1, unit: 'HOURS' } });
    await kvs.set('gone', 1);
    await kvs.delete('gone');
    await first.close();

    const second = await open({ storage: { kind: 'sqlite', file }, startTime: Date.UTC(2026, 0, 1, 0, 30) });
    expect(await kvs.get('plain')).toEqual({ a: [1, 2] });
    expect(await kvs.getSecret('secret')).toBe('shh');
    expect(await kvs.get('short')).toBe(1);
    expect(await kvs.get('gone')).toBeUndefined();
    const { results } = await kvs
      .entity('task')
      .query()
      .index('by-project', { partition: ['p'] })
      .getMany();
    expect(results.map((r) => r.key)).toEqual(['t2', 't1']);
    await second.advance(30 * 60_000);
    expect(await kvs.get('short')).toBeUndefined();
  });

  it('pages queries and rolls back failed transactions like the memory backend', async () => {
    const runtime = await open({ storage: { kind: 'sqlite', file: tempFile() } });
    const keys = Array.from({ length: 12 }, (_, i) => `q_${String(i).padStart(2, '0')}`);
    for (const key of keys) await kvs.set(key, key);
    await kvs.set('qa-other', 1); // `_` in the prefix must not act as a LIKE wildcard
    const first = await kvs
      .query()
      .where('key', { condition: 'BEGINS_WITH', values: ['q_'] })
      .limit(5)
      .getMany();
    const second = await kvs
      .query()
      .where('key', { condition: 'BEGINS_WITH', values: ['q_'] })
      .limit(5)
      .cursor(first.nextCursor!)
      .getMany();
    const third = await kvs
      .query()
      .where('key', { condition: 'BEGINS_WITH', values: ['q_'] })
      .limit(5)
      .cursor(second.nextCursor!)
      .getMany();
    expect([first, second, third].map((p) => p.results.map((r) => r.key))).toEqual([
      keys.slice(0, 5),
      keys.slice(5, 10),
      keys.slice(10),
    ]);
    expect(third.nextCursor).toBeUndefined();

    await kvs.entity('counter').set('c', { version: 1 });
    const before = runtime.kvs.inspect.list();
    const wrong = new Filter<{ version: number }>().and('version', FilterConditions.equalTo(9));
    await expect(
      kvs
        .transact()
        .set('q_00', 'changed')
        .delete('q_01')
        .check('c', { entityName: 'counter', conditions: wrong })
        .execute(),
    ).rejects.toMatchObject({ code: 'CONDITIONAL_CHECK_FAILED' });
    expect(runtime.kvs.inspect.list()).toEqual(before);
  });
});
