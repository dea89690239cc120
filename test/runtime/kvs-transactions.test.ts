// Conformance of `kvs.transact()`: conditions over entity attributes, all or nothing, limits.
import { FilterConditions, Filter, ForgeKvsAPIError, kvs } from '@forge/kvs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { CONDITIONAL_CHECK_FAILED } from '../../local-runtime/kvs/kvs-emulator.js';
import { KVS_APP_DIR, rejectionOf } from '../fixtures/kvs-app/harness.js';

interface Counter {
  name?: string;
  version?: number;
  value?: number;
}

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir: KVS_APP_DIR });
});
afterEach(async () => {
  await rt.close();
});

const counters = kvs.entity<Counter>('counter');
const versionIs = (v: number) => new Filter<Counter>().and('version', FilterConditions.equalTo(v));
const absent = () => new Filter<Counter>().and('version', FilterConditions.notExists());

function snapshot() {
  return { plain: rt.kvs.inspect.list(), counters: rt.kvs.inspect.listEntity('counter') };
}

describe('transactions', () => {
  it('applies sets, deletes and checks together when every condition holds', async () => {
    await counters.set('a', { name: 'a', version: 1, value: 10 });
    await counters.set('b', { name: 'b', version: 4, value: 0 });
    await kvs.set('old', 'gone soon');
    await kvs
      .transact()
      .set<Counter>(
        'a',
        { name: 'a', version: 2, value: 11 },
        { entityName: 'counter', conditions: versionIs(1) },
      )
      .set<Counter>('c', { name: 'c', version: 1, value: 0 }, { entityName: 'counter', conditions: absent() })
      .set('log', ['a -> 2'])
      .delete('old')
      .check('b', {
        entityName: 'counter',
        conditions: new Filter<Counter>().and('version', FilterConditions.between(3, 5)),
      })
      .execute();
    expect(await counters.get('a')).toEqual({ name: 'a', version: 2, value: 11 });
    expect(await counters.get('c')).toEqual({ name: 'c', version: 1, value: 0 });
    expect(await kvs.get('log')).toEqual(['a -> 2']);
    expect(await kvs.get('old')).toBeUndefined();
    expect(await counters.get('b')).toEqual({ name: 'b', version: 4, value: 0 });
  });

  it('one failing condition changes nothing and answers 409 CONDITIONAL_CHECK_FAILED', async () => {
    await counters.set('a', { name: 'a', version: 1, value: 10 });
    await counters.set('b', { name: 'b', version: 7 });
    await kvs.set('keep', 'me');
    const before = snapshot();
    const error = await rejectionOf(
      kvs
        .transact()
        .set<Counter>('a', { name: 'a', version: 2 }, { entityName: 'counter', conditions: versionIs(1) })
        .set('new', 'value')
        .delete('keep')
        .check('b', { entityName: 'counter', conditions: versionIs(6) })
        .execute(),
    );
    expect(error).toBeInstanceOf(ForgeKvsAPIError);
    const e = error as ForgeKvsAPIError;
    expect(e.code).toBe(CONDITIONAL_CHECK_FAILED);
    expect(e.code).toBe('CONDITIONAL_CHECK_FAILED');
    expect(e.responseDetails.status).toBe(409);
    expect(e.context).toMatchObject({ failed: [{ operation: 'check', key: 'b', entityName: 'counter' }] });
    expect(snapshot()).toEqual(before);
    expect(rt.metered()['kvs.failedConditions']).toBe(1);
  });

  it('a condition on a missing item: equalTo fails, notExists holds', async () => {
    await expect(
      kvs
        .transact()
        .set<Counter>('fresh', { version: 1 }, { entityName: 'counter', conditions: versionIs(0) })
        .execute(),
    ).rejects.toMatchObject({ code: CONDITIONAL_CHECK_FAILED });
    await kvs
      .transact()
      .set<Counter>('fresh', { version: 1 }, { entityName: 'counter', conditions: absent() })
      .execute();
    await expect(
      kvs
        .transact()
        .set<Counter>('fresh', { version: 1 }, { entityName: 'counter', conditions: absent() })
        .execute(),
    ).rejects.toMatchObject({ code: CONDITIONAL_CHECK_FAILED });
    expect(await counters.get('fresh')).toEqual({ version: 1 });
  });

  it('or-conditions hold when any branch holds; conditional delete', async () => {
    await counters.set('x', { version: 3 });
    const either = new Filter<Counter>()
      .or('version', FilterConditions.equalTo(1))
      .or('version', FilterConditions.greaterThan(2));
    await kvs.transact().delete('x', { entityName: 'counter', conditions: either }).execute();
    expect(await counters.get('x')).toBeUndefined();
  });

  it('two racing version-checked writers: exactly one wins', async () => {
    await counters.set('race', { version: 1, value: 0 });
    const write = (value: number) =>
      kvs
        .transact()
        .set<Counter>('race', { version: 2, value }, { entityName: 'counter', conditions: versionIs(1) })
        .execute();
    const results = await Promise.allSettled([write(1), write(2)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(rejected.reason).toMatchObject({ code: CONDITIONAL_CHECK_FAILED });
  });

  it('refuses more than 25 operations, and takes exactly 25', async () => {
    let tx = kvs.transact();
    for (let i = 0; i < 26; i++) tx = tx.set(`k${i}`, i);
    await expect(tx.execute()).rejects.toMatchObject({
      code: 'TOO_MANY_TRANSACTION_OPERATIONS',
      responseDetails: { status: 400 },
    });
    expect(rt.kvs.inspect.list()).toEqual([]);
    let ok = kvs.transact();
    for (let i = 0; i < 25; i++) ok = ok.set(`k${i}`, i);
    await ok.execute();
    expect(rt.kvs.inspect.list()).toHaveLength(25);
  });

  it('refuses a key named twice, even across set and check', async () => {
    await counters.set('d', { version: 1 });
    const error = await rejectionOf(
      kvs
        .transact()
        .set<Counter>('d', { version: 2 }, { entityName: 'counter' })
        .check('d', { entityName: 'counter', conditions: versionIs(1) })
        .execute(),
    );
    expect(error).toMatchObject({ code: 'DUPLICATE_TRANSACTION_KEY', responseDetails: { status: 400 } });
    expect(await counters.get('d')).toEqual({ version: 1 });
    await expect(kvs.transact().set('p', 1).delete('p').execute()).rejects.toMatchObject({
      code: 'DUPLICATE_TRANSACTION_KEY',
    });
  });

  it('takes a ttl on set, and no keyPolicy', async () => {
    await kvs
      .transact()
      .set('t', 'x', undefined, { ttl: { value: 1, unit: 'MINUTES' } })
      .execute();
    expect(await kvs.get('t')).toBe('x');
    await rt.advance(60_000);
    expect(await kvs.get('t')).toBeUndefined();
    const policy = { ttl: { value: 1, unit: 'MINUTES' }, keyPolicy: 'FAIL_IF_EXISTS' } as unknown as {
      ttl: { value: number; unit: 'MINUTES' };
    };
    await expect(kvs.transact().set('u', 'y', undefined, policy).execute()).rejects.toMatchObject({
      code: 'INVALID_TRANSACTION_OPTIONS',
    });
    expect(await kvs.get('u')).toBeUndefined();
  });

  it('validates every operation before writing anything', async () => {
    await expect(
      kvs.transact().set('good', 1).set('bad', { version: 'one' }, { entityName: 'counter' }).execute(),
    ).rejects.toMatchObject({ code: 'INVALID_ENTITY_VALUE' });
    await expect(kvs.transact().set('good', 1).set('bad key!', 1).execute()).rejects.toMatchObject({
      code: 'INVALID_KEY',
    });
    expect(await kvs.get('good')).toBeUndefined();
  });

  it('refuses malformed conditions with the documented codes', async () => {
    // Shapes the builder never sends, so they are made by hand: a filter without an operator...
    const noOperator = {
      filters: () => [{ property: 'version', condition: 'EQUAL_TO', values: [1] }],
      operator: () => '',
    };
    await expect(
      kvs
        .transact()
        .check('a', { entityName: 'counter', conditions: noOperator as unknown as Filter<Counter> })
        .execute(),
    ).rejects.toMatchObject({ code: 'EMPTY_FILTER_OPERATOR', responseDetails: { status: 400 } });
    // ...a nested node with both `and` and `or`...
    const mixed = { filters: () => [{ and: [], or: [] }], operator: () => 'and' };
    await expect(
      kvs
        .transact()
        .check('a', { entityName: 'counter', conditions: mixed as unknown as Filter<Counter> })
        .execute(),
    ).rejects.toMatchObject({
      code: 'INVALID_FILTER_OPERATORS_COMBINATION',
      responseDetails: { status: 400 },
    });
    // ...and a condition short of values.
    const short = new Filter<Counter>().and('version', {
      condition: 'EQUAL_TO',
      values: [],
    } as unknown as ReturnType<typeof FilterConditions.equalTo>);
    await expect(
      kvs.transact().check('a', { entityName: 'counter', conditions: short }).execute(),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_FILTER_VALUES',
    });
    // Conditions need an entity.
    await expect(
      kvs
        .transact()
        .set<Counter>(
          'plain',
          { version: 1 },
          { entityName: undefined as unknown as string, conditions: versionIs(1) },
        )
        .execute(),
    ).rejects.toMatchObject({
      code: 'CONDITIONS_NEED_ENTITY',
    });
  });

  it('meters a transaction as one write whose units are its total size', async () => {
    const big = 'x'.repeat(15 * 1024);
    await kvs.transact().set('a', big).set('b', big).execute();
    const m = rt.metered();
    expect(m['kvs.transaction']).toBe(1);
    expect(m['kvs.requests']).toBe(1);
    expect(m['kvs.writeRequests']).toBe(1);
    // 30 KB and a little JSON: 4 units of 10 KB (not 2 + 2 rounded per operation, nor 1 per request).
    expect(m['kvs.writeUnits']).toBe(4);
  });
});
