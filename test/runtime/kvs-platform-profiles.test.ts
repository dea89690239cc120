// Platform profiles: each storage question Forge's docs leave open can be answered either way
// (`createRuntime({ platform })`), so an app can be tested under every plausible answer. Each test
// runs the same requests under the default and under the other answer, and sees them differ.
import { Filter, FilterConditions, ForgeKvsAPIError, kvs, MetadataField } from '@forge/kvs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRuntime,
  DEFAULT_PLATFORM,
  PLATFORM_PROFILES,
  type LocalForgeRuntime,
  type PlatformOption,
} from '../../local-runtime/index.js';
import { KVS_APP_DIR, rejectionOf, type TaskValue } from '../fixtures/kvs-app/harness.js';

interface Counter {
  name?: string;
  version?: number;
}

let rt: LocalForgeRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

async function open(platform?: PlatformOption): Promise<LocalForgeRuntime> {
  await rt?.close();
  rt = await createRuntime({ appDir: KVS_APP_DIR, ...(platform !== undefined ? { platform } : {}) });
  return rt;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ForgeKvsAPIError);
  const e = error as ForgeKvsAPIError;
  return { code: e.code, status: e.responseDetails.status };
}

const counters = kvs.entity<Counter>('counter');
const tasks = kvs.entity<TaskValue>('task');
const versionIs = (v: number) => new Filter<Counter>().and('version', FilterConditions.equalTo(v));
const absent = () => new Filter<Counter>().and('version', FilterConditions.notExists());

describe('profiles', () => {
  it('defaults to the documented answers, and names one profile per open question plus `adverse`', async () => {
    const runtime = await open();
    expect(runtime.platform).toEqual({
      failedCondition: '409-CONDITIONAL_CHECK_FAILED',
      keyPolicyClash: '409-CONDITIONAL_CHECK_FAILED',
      conditionOnMissingKey: 'as-empty-item',
      queryFilters: 'after-limit',
      defaultPageSize: 10,
      overwriteTtl: 'cleared',
    });
    expect(PLATFORM_PROFILES.default).toEqual(DEFAULT_PLATFORM);
    // Every other profile but `adverse` answers exactly one question differently.
    for (const [name, profile] of Object.entries(PLATFORM_PROFILES)) {
      if (name === 'default' || name === 'adverse') continue;
      const changed = Object.keys(profile).filter(
        (field) => profile[field as keyof typeof profile] !== DEFAULT_PLATFORM[field as keyof typeof profile],
      );
      expect(changed, name).toHaveLength(1);
    }
    const changedFields = Object.entries(PLATFORM_PROFILES)
      .filter(([name]) => name !== 'default' && name !== 'adverse')
      .flatMap(([, profile]) =>
        Object.keys(profile).filter(
          (f) => profile[f as keyof typeof profile] !== DEFAULT_PLATFORM[f as keyof typeof profile],
        ),
      )
      .sort();
    // Together they answer every question the other way once.
    expect(changedFields).toEqual(Object.keys(DEFAULT_PLATFORM).sort());
    expect(PLATFORM_PROFILES.adverse).toEqual({
      failedCondition: '400-CONDITION_FAILED',
      keyPolicyClash: '409-KEY_ALREADY_EXISTS',
      conditionOnMissingKey: 'fails',
      queryFilters: 'after-limit',
      defaultPageSize: 1,
      overwriteTtl: 'kept',
    });
  });

  it('takes a profile by name, or some answers with the rest from the default', async () => {
    expect((await open('adverse')).platform).toEqual(PLATFORM_PROFILES.adverse);
    expect((await open({ conditionOnMissingKey: 'fails' })).platform).toEqual({
      ...DEFAULT_PLATFORM,
      conditionOnMissingKey: 'fails',
    });
  });

  it('refuses an unknown profile or answer before starting', async () => {
    await expect(open('no-such-profile' as PlatformOption)).rejects.toThrow(/Unknown platform profile/);
    await expect(open({ failedCondition: '418-TEAPOT' } as unknown as PlatformOption)).rejects.toThrow(
      /platform.failedCondition must be one of/,
    );
    await expect(open({ defaultPageSize: 0 })).rejects.toThrow(/defaultPageSize/);
  });
});

describe('failedCondition', () => {
  async function staleWrite(): Promise<{ code: string; status: number }> {
    await counters.set('c', { version: 2 });
    return failure(
      kvs
        .transact()
        .set<Counter>('c', { version: 3 }, { entityName: 'counter', conditions: versionIs(1) })
        .execute(),
    );
  }

  it('is 409 CONDITIONAL_CHECK_FAILED by default', async () => {
    await open();
    expect(await staleWrite()).toEqual({ code: 'CONDITIONAL_CHECK_FAILED', status: 409 });
  });

  it('is 400 CONDITION_FAILED under `failed-condition-400`, still changes nothing, and is counted', async () => {
    const runtime = await open('failed-condition-400');
    expect(await staleWrite()).toEqual({ code: 'CONDITION_FAILED', status: 400 });
    expect(
      await failure(
        kvs
          .transact()
          .check('c', { entityName: 'counter', conditions: versionIs(7) })
          .execute(),
      ),
    ).toEqual({ code: 'CONDITION_FAILED', status: 400 });
    expect(await counters.get('c')).toEqual({ version: 2 });
    expect(runtime.metered()['kvs.failedConditions']).toBe(2);
    // A key-policy clash is its own question.
    await kvs.set('once', 1, { keyPolicy: 'FAIL_IF_EXISTS' });
    expect(await failure(kvs.set('once', 2, { keyPolicy: 'FAIL_IF_EXISTS' }))).toEqual({
      code: 'CONDITIONAL_CHECK_FAILED',
      status: 409,
    });
  });
});

describe('keyPolicyClash', () => {
  it('is 409 KEY_ALREADY_EXISTS under `key-already-exists`, on keys, secrets and entities', async () => {
    const runtime = await open('key-already-exists');
    const clash = { code: 'KEY_ALREADY_EXISTS', status: 409 };
    await kvs.set('k', 'first', { keyPolicy: 'FAIL_IF_EXISTS' });
    expect(await failure(kvs.set('k', 'second', { keyPolicy: 'FAIL_IF_EXISTS' }))).toEqual(clash);
    await kvs.setSecret('s', 'first', { keyPolicy: 'FAIL_IF_EXISTS' });
    expect(await failure(kvs.setSecret('s', 'second', { keyPolicy: 'FAIL_IF_EXISTS' }))).toEqual(clash);
    await counters.set('e', { version: 1 }, { keyPolicy: 'FAIL_IF_EXISTS' });
    expect(await failure(counters.set('e', { version: 2 }, { keyPolicy: 'FAIL_IF_EXISTS' }))).toEqual(clash);
    expect(await kvs.get('k')).toBe('first');
    expect(await counters.get('e')).toEqual({ version: 1 });
    expect(runtime.metered()['kvs.failedConditions']).toBe(3);
    // A failed condition keeps its own answer.
    expect(
      await failure(
        kvs
          .transact()
          .set<Counter>('e', { version: 2 }, { entityName: 'counter', conditions: versionIs(5) })
          .execute(),
      ),
    ).toEqual({ code: 'CONDITIONAL_CHECK_FAILED', status: 409 });
  });
});

describe('conditionOnMissingKey', () => {
  it('as-empty-item (default): notExists holds on a missing key, in a set and in a check', async () => {
    await open();
    await kvs
      .transact()
      .set<Counter>('fresh', { version: 1 }, { entityName: 'counter', conditions: absent() })
      .check('missing', { entityName: 'counter', conditions: absent() })
      .execute();
    expect(await counters.get('fresh')).toEqual({ version: 1 });
  });

  it('fails: every condition on a missing key fails, notExists too, for set, delete and check', async () => {
    await open('missing-key-condition-fails');
    const failed = { code: 'CONDITIONAL_CHECK_FAILED', status: 409 };
    expect(
      await failure(
        kvs
          .transact()
          .set<Counter>('fresh', { version: 1 }, { entityName: 'counter', conditions: absent() })
          .execute(),
      ),
    ).toEqual(failed);
    expect(
      await failure(
        kvs.transact().check('missing', { entityName: 'counter', conditions: absent() }).execute(),
      ),
    ).toEqual(failed);
    expect(
      await failure(
        kvs.transact().delete('missing', { entityName: 'counter', conditions: absent() }).execute(),
      ),
    ).toEqual(failed);
    expect(await counters.get('fresh')).toBeUndefined();
    // Unconditional writes still create keys, and conditions on existing keys work as before.
    await kvs.transact().set<Counter>('fresh', { version: 1 }, { entityName: 'counter' }).execute();
    await kvs
      .transact()
      .set<Counter>('fresh', { version: 2 }, { entityName: 'counter', conditions: versionIs(1) })
      .execute();
    expect(await counters.get('fresh')).toEqual({ version: 2 });
  });
});

describe('queryFilters', () => {
  /** 12 tasks of one project, priorities 0..11; the odd ones are done. */
  async function seedTasks(): Promise<void> {
    for (let i = 0; i < 12; i++)
      await tasks.set(`t${String(i).padStart(2, '0')}`, { project: 'p', priority: i, done: i % 2 === 1 });
  }

  async function pages(
    filter: Parameters<ReturnType<ReturnType<typeof tasks.query>['index']>['filters']>[0],
    limit: number,
  ) {
    const out: Array<{ keys: string[]; cursor: boolean }> = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 50; guard++) {
      let q = tasks
        .query()
        .index('by-project', { partition: ['p'] })
        .filters(filter)
        .limit(limit);
      if (cursor) q = q.cursor(cursor);
      const page = await q.getMany();
      out.push({ keys: page.results.map((r) => r.key), cursor: page.nextCursor !== undefined });
      cursor = page.nextCursor;
      if (!cursor) return out;
    }
    throw new Error('the cursor never ended');
  }

  it('after-limit (default): each page filters its `limit` items, so pages come short or empty with a cursor', async () => {
    await open();
    await seedTasks();
    const done = new Filter<TaskValue>().and('done', FilterConditions.equalTo(true));
    expect(await pages(done, 4)).toEqual([
      { keys: ['t01', 't03'], cursor: true },
      { keys: ['t05', 't07'], cursor: true },
      { keys: ['t09', 't11'], cursor: false },
    ]);
    const late = new Filter<TaskValue>().and('priority', FilterConditions.greaterThan(9));
    expect(await pages(late, 4)).toEqual([
      { keys: [], cursor: true },
      { keys: [], cursor: true },
      { keys: ['t10', 't11'], cursor: false },
    ]);
  });

  it('before-limit: filters apply to the whole index, so every page but the last is full', async () => {
    await open('filters-before-limit');
    await seedTasks();
    const done = new Filter<TaskValue>().and('done', FilterConditions.equalTo(true));
    expect(await pages(done, 4)).toEqual([
      { keys: ['t01', 't03', 't05', 't07'], cursor: true },
      { keys: ['t09', 't11'], cursor: false },
    ]);
    const late = new Filter<TaskValue>().and('priority', FilterConditions.greaterThan(9));
    expect(await pages(late, 4)).toEqual([{ keys: ['t10', 't11'], cursor: false }]);
  });
});

describe('defaultPageSize', () => {
  it('is 10 by default, and what the profile says for key and entity queries without a limit', async () => {
    await open();
    for (let i = 0; i < 12; i++) await kvs.set(`k${String(i).padStart(2, '0')}`, i);
    expect((await kvs.query().getMany()).results).toHaveLength(10);

    await open('default-page-size-1');
    for (let i = 0; i < 3; i++) {
      await kvs.set(`k${i}`, i);
      await tasks.set(`t${i}`, { project: 'p', priority: i });
    }
    const first = await kvs.query().getMany();
    expect(first.results.map((r) => r.key)).toEqual(['k0']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const entities = await tasks
      .query()
      .index('by-project', { partition: ['p'] })
      .getMany();
    expect(entities.results.map((r) => r.key)).toEqual(['t0']);
    expect(entities.nextCursor).toEqual(expect.any(String));
    // An explicit limit is unaffected.
    expect((await kvs.query().limit(3).getMany()).results).toHaveLength(3);
  });
});

describe('overwriteTtl', () => {
  const minute = { ttl: { value: 1, unit: 'MINUTES' as const } };

  it('cleared (default): a set without ttl makes the key permanent', async () => {
    const runtime = await open();
    await kvs.set('k', 1, minute);
    await kvs.set('k', 2);
    await runtime.advance(120_000);
    expect(await kvs.get('k')).toBe(2);
  });

  it('kept: a set without ttl keeps the old expiry on every write path; a new ttl replaces it', async () => {
    const runtime = await open('overwrite-keeps-ttl');
    await kvs.set('plain', 1, minute);
    await kvs.setSecret('secret', 1, minute);
    await counters.set('entity', { version: 1 }, minute);
    await kvs.set('batch', 1, minute);
    await kvs.set('tx', 1, minute);
    await kvs.set('renewed', 1, minute);

    await runtime.advance(30_000);
    await kvs.set('plain', 2);
    await kvs.setSecret('secret', 2);
    await counters.set('entity', { version: 2 });
    await kvs.batchSet([{ key: 'batch', value: 2 }]);
    await kvs.transact().set('tx', 2).execute();
    await kvs.set('renewed', 2, { ttl: { value: 1, unit: 'HOURS' } });
    expect(await kvs.get('plain', { metadataFields: [MetadataField.EXPIRE_TIME] })).toEqual({
      key: 'plain',
      value: 2,
      expireTime: '2026-01-01T00:01:00Z',
    });

    await runtime.advance(30_000);
    expect(await kvs.get('plain')).toBeUndefined();
    expect(await kvs.getSecret('secret')).toBeUndefined();
    expect(await counters.get('entity')).toBeUndefined();
    expect(await kvs.get('batch')).toBeUndefined();
    expect(await kvs.get('tx')).toBeUndefined();
    expect(await kvs.get('renewed')).toBe(2);
  });
});
