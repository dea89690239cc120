// Conformance of custom entities: values checked against the manifest, and queries by index with
// partition, range condition, filters, sort and cursor. Expected pages are computed here from the
// test data, independently of the emulator.
import { FilterConditions, Filter, ForgeKvsAPIError, kvs, Sort, WhereConditions } from '@forge/kvs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { KVS_APP_DIR, rejectionOf, type TaskValue } from '../fixtures/kvs-app/harness.js';

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir: KVS_APP_DIR });
});
afterEach(async () => {
  await rt.close();
});

const tasks = kvs.entity<TaskValue>('task');
const PROJECTS = ['alpha', 'beta', 'gamma'];
const STATUSES = ['open', 'done', 'blocked'];

/** 45 tasks; priorities are unique per project so every expected order is unambiguous. */
function dataset(): Array<{ key: string; value: TaskValue }> {
  return Array.from({ length: 45 }, (_, i) => ({
    key: `task-${String(i).padStart(2, '0')}`,
    value: {
      project: PROJECTS[i % 3]!,
      status: STATUSES[Math.floor(i / 3) % 3]!,
      title: `T${(i * 7) % 45}`,
      priority: ((i * 11) % 45) - 10,
      score: i / 4,
      done: i % 4 === 0,
      payload: { i },
    },
  }));
}

async function seed(): Promise<Array<{ key: string; value: TaskValue }>> {
  const data = dataset();
  for (const { key, value } of data) await tasks.set(key, value);
  // An item without the range attribute is not in the `by-project` index.
  await tasks.set('no-priority', { project: 'alpha', title: 'x' });
  return data;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type QueryStep = (
  q: ReturnType<ReturnType<typeof tasks.query>['index']>,
) => ReturnType<ReturnType<typeof tasks.query>['index']>;

/** Every page of a query, following the cursor. */
async function allPages(
  index: string,
  partition: unknown[] | undefined,
  build: QueryStep,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 50; guard++) {
    let q = build(tasks.query().index(index, partition ? { partition } : undefined));
    if (cursor) q = q.cursor(cursor);
    const page = await q.getMany();
    pages.push(page.results.map((r) => r.key));
    cursor = page.nextCursor;
    if (!cursor) return pages;
  }
  throw new Error('the cursor never ended');
}

describe('entity get / set / delete', () => {
  it('round-trips a value and keeps entities apart from plain keys', async () => {
    const value: TaskValue = {
      project: 'alpha',
      status: 'open',
      title: 'Write',
      priority: -3,
      score: 1.5,
      done: false,
      payload: { deep: [1, { x: 'y' }] },
    };
    await tasks.set('t1', value);
    await kvs.set('t1', 'plain');
    expect(await tasks.get('t1')).toEqual(value);
    expect(await kvs.get('t1')).toBe('plain');
    expect(rt.kvs.inspect.listEntity('task')).toEqual([{ key: 't1', value }]);
    await tasks.delete('t1');
    expect(await tasks.get('t1')).toBeUndefined();
    expect(await kvs.get('t1')).toBe('plain');
    expect(rt.metered()['kvs.entity.set']).toBe(1);
    expect(rt.metered()['kvs.entity.get']).toBe(2);
    expect(rt.metered()['kvs.entity.delete']).toBe(1);
  });

  it.each([
    ['an undeclared attribute', { project: 'a', owner: 'me' }],
    ['a string for an integer', { priority: '1' }],
    ['a fraction for an integer', { priority: 1.5 }],
    ['an integer over 32 bits', { priority: 2 ** 31 }],
    ['an integer under 32 bits', { priority: -(2 ** 31) - 1 }],
    ['a number for a string', { title: 5 }],
    ['a string for a boolean', { done: 'yes' }],
    ['a string for a float', { score: '1.0' }],
    ['null for a string', { title: null }],
  ])('refuses %s with INVALID_ENTITY_VALUE', async (_name, value) => {
    const error = await rejectionOf(tasks.set('bad', value as TaskValue));
    expect(error).toBeInstanceOf(ForgeKvsAPIError);
    expect(error).toMatchObject({ code: 'INVALID_ENTITY_VALUE', responseDetails: { status: 400 } });
    expect(rt.kvs.inspect.getEntity('task', 'bad')).toBeUndefined();
  });

  it('accepts 32-bit bounds, floats, and anything in an `any` attribute', async () => {
    await tasks.set('lo', { priority: -(2 ** 31), score: 3, payload: [1, 'two', null] });
    await tasks.set('hi', { priority: 2 ** 31 - 1, score: -0.25, payload: 'text' });
    expect(await tasks.get('hi')).toEqual({ priority: 2 ** 31 - 1, score: -0.25, payload: 'text' });
  });

  it('refuses a value that is not an object', async () => {
    await expect(tasks.set('arr', ['x'] as unknown as TaskValue)).rejects.toMatchObject({
      code: 'INVALID_ENTITY_VALUE',
    });
    await expect(tasks.set('str', 'x' as unknown as TaskValue)).rejects.toMatchObject({
      code: 'INVALID_ENTITY_VALUE',
    });
  });

  it('refuses an entity the manifest does not declare', async () => {
    const error = await rejectionOf(kvs.entity('ghost').set('k', { a: 1 }));
    expect(error).toMatchObject({ code: 'UNKNOWN_ENTITY', responseDetails: { status: 400 } });
    await expect(kvs.entity('ghost').get('k')).rejects.toMatchObject({ code: 'UNKNOWN_ENTITY' });
  });

  it('supports FAIL_IF_EXISTS and returnValue', async () => {
    await tasks.set('p', { priority: 1 }, { keyPolicy: 'FAIL_IF_EXISTS' });
    await expect(tasks.set('p', { priority: 2 }, { keyPolicy: 'FAIL_IF_EXISTS' })).rejects.toMatchObject({
      code: 'CONDITIONAL_CHECK_FAILED',
      responseDetails: { status: 409 },
    });
    expect(await tasks.set('p', { priority: 3 }, { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' })).toEqual(
      { key: 'p', value: { priority: 1 } },
    );
  });
});

describe('entity query', () => {
  it('pages through a partition in range order, ascending and descending', async () => {
    const data = await seed();
    for (const project of PROJECTS) {
      const inPartition = data
        .filter((d) => d.value.project === project)
        .sort((a, b) => a.value.priority! - b.value.priority!);
      const asc = inPartition.map((d) => d.key);
      expect(await allPages('by-project', [project], (q) => q.limit(4))).toEqual(chunk(asc, 4));
      expect(await allPages('by-project', [project], (q) => q.sort(Sort.DESC).limit(6))).toEqual(
        chunk([...asc].reverse(), 6),
      );
    }
  });

  it('applies a range condition on the range attribute', async () => {
    const data = await seed();
    const alpha = data.filter((d) => d.value.project === 'alpha');
    const expectKeys = (pred: (p: number) => boolean) =>
      alpha
        .filter((d) => pred(d.value.priority!))
        .sort((a, b) => a.value.priority! - b.value.priority!)
        .map((d) => d.key);
    const run = async (where: Parameters<ReturnType<ReturnType<typeof tasks.query>['index']>['where']>[0]) =>
      (await allPages('by-project', ['alpha'], (q) => q.where(where).limit(100))).flat();
    expect(await run(WhereConditions.between(0, 20))).toEqual(expectKeys((p) => p >= 0 && p <= 20));
    expect(await run(WhereConditions.greaterThan(5))).toEqual(expectKeys((p) => p > 5));
    expect(await run(WhereConditions.greaterThanEqualTo(5))).toEqual(expectKeys((p) => p >= 5));
    expect(await run(WhereConditions.lessThan(0))).toEqual(expectKeys((p) => p < 0));
    expect(await run(WhereConditions.lessThanEqualTo(1))).toEqual(expectKeys((p) => p <= 1));
    const one = alpha[3]!.value.priority!;
    expect(await run(WhereConditions.equalTo(one))).toEqual(expectKeys((p) => p === one));
  });

  it('queries a two-attribute partition with a string range and beginsWith', async () => {
    const data = await seed();
    const expected = data
      .filter(
        (d) => d.value.project === 'beta' && d.value.status === 'open' && d.value.title!.startsWith('T1'),
      )
      .sort((a, b) => (a.value.title! < b.value.title! ? -1 : a.value.title! > b.value.title! ? 1 : 0))
      .map((d) => d.key);
    expect(expected.length).toBeGreaterThan(0);
    const pages = await allPages('by-project-status', ['beta', 'open'], (q) =>
      q.where(WhereConditions.beginsWith('T1')).limit(2),
    );
    expect(pages).toEqual(chunk(expected, 2));
  });

  it('filters with and / or over several attribute types, before the limit', async () => {
    // The `filters-before-limit` platform profile; the default applies filters after the limit.
    await rt.close();
    rt = await createRuntime({ appDir: KVS_APP_DIR, platform: { queryFilters: 'before-limit' } });
    const data = await seed();
    const byPriority = (a: { value: TaskValue }, b: { value: TaskValue }) =>
      a.value.priority! - b.value.priority!;
    const andExpected = data
      .filter(
        (d) =>
          d.value.project === 'gamma' &&
          d.value.done === false &&
          d.value.score! >= 3 &&
          d.value.status !== 'blocked',
      )
      .sort(byPriority)
      .map((d) => d.key);
    const andFilter = new Filter<TaskValue>()
      .and('done', FilterConditions.equalTo(false))
      .and('score', FilterConditions.greaterThanEqualTo(3))
      .and('status', FilterConditions.notEqualTo('blocked'));
    expect(await allPages('by-project', ['gamma'], (q) => q.filters(andFilter).limit(3))).toEqual(
      chunk(andExpected, 3),
    );

    const orExpected = data
      .filter(
        (d) => d.value.project === 'gamma' && (d.value.title!.includes('3') || d.value.status === 'done'),
      )
      .sort(byPriority)
      .map((d) => d.key);
    const orFilter = new Filter<TaskValue>()
      .or('title', FilterConditions.contains('3'))
      .or('status', FilterConditions.equalTo('done'));
    expect(await allPages('by-project', ['gamma'], (q) => q.filters(orFilter).limit(5))).toEqual(
      chunk(orExpected, 5),
    );

    const notContains = data
      .filter((d) => d.value.project === 'alpha' && !d.value.title!.includes('1'))
      .sort(byPriority)
      .map((d) => d.key);
    const ncFilter = new Filter<TaskValue>().and('title', FilterConditions.notContains('1'));
    expect((await allPages('by-project', ['alpha'], (q) => q.filters(ncFilter).limit(100))).flat()).toEqual(
      notContains,
    );
  });

  it('exists / notExists filters see missing attributes', async () => {
    await tasks.set('with-score', { project: 'p', priority: 1, score: 2 });
    await tasks.set('without-score', { project: 'p', priority: 2 });
    const exists = new Filter<TaskValue>().and('score', FilterConditions.exists());
    const notExists = new Filter<TaskValue>().and('score', FilterConditions.notExists());
    expect(
      (
        await tasks
          .query()
          .index('by-project', { partition: ['p'] })
          .filters(exists)
          .getMany()
      ).results.map((r) => r.key),
    ).toEqual(['with-score']);
    expect(
      (
        await tasks
          .query()
          .index('by-project', { partition: ['p'] })
          .filters(notExists)
          .getMany()
      ).results.map((r) => r.key),
    ).toEqual(['without-score']);
  });

  it('queries an index without partition; items lacking the range attribute are left out', async () => {
    const data = await seed();
    const expected = [...data].sort((a, b) => a.value.priority! - b.value.priority!).map((d) => d.key);
    const pages = await allPages('priority', undefined, (q) => q.limit(100));
    expect(pages).toEqual([expected]);
    expect(pages.flat()).not.toContain('no-priority');
    const first = await tasks.query().index('priority').getOne();
    expect(first).toEqual({ key: expected[0], value: data.find((d) => d.key === expected[0])!.value });
  });

  it('returns ties in key order and never repeats or skips an item across pages', async () => {
    for (let i = 0; i < 17; i++)
      await tasks.set(`tie-${String(16 - i).padStart(2, '0')}`, { project: 'ties', priority: i % 3 });
    const pages = await allPages('by-project', ['ties'], (q) => q.limit(4));
    const expected = Array.from({ length: 17 }, (_, i) => ({
      key: `tie-${String(16 - i).padStart(2, '0')}`,
      p: i % 3,
    }))
      .sort((a, b) => a.p - b.p || (a.key < b.key ? -1 : 1))
      .map((e) => e.key);
    expect(pages).toEqual(chunk(expected, 4));
  });

  it('the cursor keeps its place when items change between pages', async () => {
    for (let p = 1; p <= 6; p++) await tasks.set(`c${p}`, { project: 'move', priority: p * 10 });
    const first = await tasks
      .query()
      .index('by-project', { partition: ['move'] })
      .limit(3)
      .getMany();
    expect(first.results.map((r) => r.key)).toEqual(['c1', 'c2', 'c3']);
    await tasks.delete('c3');
    await tasks.set('c0', { project: 'move', priority: 5 }); // sorts before the cursor: not seen
    await tasks.set('c35', { project: 'move', priority: 35 });
    const second = await tasks
      .query()
      .index('by-project', { partition: ['move'] })
      .limit(3)
      .cursor(first.nextCursor!)
      .getMany();
    expect(second.results.map((r) => r.key)).toEqual(['c35', 'c4', 'c5']);
  });

  it('metadata fields on query results', async () => {
    await tasks.set('m', { project: 'meta', priority: 1 }, { ttl: { value: 1, unit: 'DAYS' } } as {
      ttl: { value: number; unit: 'DAYS' };
    });
    const plain = await tasks
      .query()
      .index('by-project', { partition: ['meta'] })
      .getMany();
    expect(plain.results).toEqual([
      { key: 'm', value: { project: 'meta', priority: 1 }, expireTime: '2026-01-02T00:00:00Z' },
    ]);
  });
});

describe('entity query errors', () => {
  const code = async (promise: Promise<unknown>) => {
    const error = await rejectionOf(promise);
    expect(error).toBeInstanceOf(ForgeKvsAPIError);
    const e = error as ForgeKvsAPIError;
    return { code: e.code, status: e.responseDetails.status };
  };

  it('refuses unknown entities and indexes', async () => {
    expect(
      await code(
        kvs
          .entity('ghost')
          .query()
          .index('by-project', { partition: ['a'] })
          .getMany(),
      ),
    ).toEqual({ code: 'UNKNOWN_ENTITY', status: 400 });
    expect(await code(tasks.query().index('by-owner').getMany())).toEqual({
      code: 'UNKNOWN_INDEX',
      status: 400,
    });
  });

  it('refuses partitions that do not match the index', async () => {
    expect(await code(tasks.query().index('by-project').getMany())).toEqual({
      code: 'INVALID_PARTITION',
      status: 400,
    });
    expect(
      await code(
        tasks
          .query()
          .index('by-project', { partition: ['a', 'b'] })
          .getMany(),
      ),
    ).toEqual({ code: 'INVALID_PARTITION', status: 400 });
    expect(
      await code(
        tasks
          .query()
          .index('by-project', { partition: [7] })
          .getMany(),
      ),
    ).toEqual({ code: 'INVALID_PARTITION', status: 400 });
    expect(
      await code(
        tasks
          .query()
          .index('priority', { partition: ['x'] })
          .getMany(),
      ),
    ).toEqual({ code: 'INVALID_PARTITION', status: 400 });
  });

  it('refuses limits out of 1..100', async () => {
    for (const limit of [0, 101, 2.5]) {
      expect(await code(tasks.query().index('priority').limit(limit).getMany())).toEqual({
        code: 'COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE',
        status: 400,
      });
    }
    await expect(tasks.query().index('priority').limit(100).getMany()).resolves.toEqual({ results: [] });
  });

  it('refuses filters on `any` attributes with 422, and on undeclared attributes', async () => {
    const onAny = new Filter<TaskValue>().and('payload', FilterConditions.exists());
    expect(await code(tasks.query().index('priority').filters(onAny).getMany())).toEqual({
      code: 'FILTER_ON_ANY_ATTRIBUTE',
      status: 422,
    });
    const onGhost = new Filter<Record<string, unknown>>().and('owner', FilterConditions.equalTo('me'));
    expect(
      await code(
        kvs.entity<Record<string, unknown>>('task').query().index('priority').filters(onGhost).getMany(),
      ),
    ).toEqual({
      code: 'INVALID_FILTER_ATTRIBUTE',
      status: 400,
    });
  });

  it('refuses malformed conditions', async () => {
    const short = new Filter<TaskValue>().and('priority', {
      condition: 'BETWEEN',
      values: [1],
    } as unknown as ReturnType<typeof FilterConditions.between>);
    expect(await code(tasks.query().index('priority').filters(short).getMany())).toEqual({
      code: 'INSUFFICIENT_FILTER_VALUES',
      status: 400,
    });
    const where = { condition: 'BETWEEN', values: [] } as unknown as ReturnType<
      typeof WhereConditions.between
    >;
    expect(await code(tasks.query().index('priority').where(where).getMany())).toEqual({
      code: 'INSUFFICIENT_FILTER_VALUES',
      status: 400,
    });
    const notARange = FilterConditions.contains('x') as unknown as ReturnType<typeof WhereConditions.equalTo>;
    expect(await code(tasks.query().index('priority').where(notARange).getMany())).toEqual({
      code: 'INVALID_RANGE_CONDITION',
      status: 400,
    });
    const unknown = new Filter<TaskValue>().and('priority', {
      condition: 'LIKE',
      values: [1],
    } as unknown as ReturnType<typeof FilterConditions.equalTo>);
    expect(await code(tasks.query().index('priority').filters(unknown).getMany())).toEqual({
      code: 'INVALID_FILTER_CONDITION',
      status: 400,
    });
  });

  it('refuses a cursor from another partition', async () => {
    for (let i = 0; i < 3; i++) await tasks.set(`k${i}`, { project: 'a', priority: i });
    const { nextCursor } = await tasks
      .query()
      .index('by-project', { partition: ['a'] })
      .limit(1)
      .getMany();
    expect(
      await code(
        tasks
          .query()
          .index('by-project', { partition: ['b'] })
          .cursor(nextCursor!)
          .getMany(),
      ),
    ).toEqual({ code: 'INVALID_CURSOR', status: 400 });
  });
});
