// The rules Forge documents for custom entity attribute values (storage-reference/entities,
// "Values"), on every write path: a string must not be empty and must hold a non-whitespace
// character; a float is 0 or between 1E-130 and about 1E126 in magnitude; an integer is 32-bit.
// And an empty key: KEY_TOO_SHORT on the Key-Value Store, EMPTY_KEY on the Custom Entity Store.
import { ForgeKvsAPIError, kvs } from '@forge/kvs';
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

async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ForgeKvsAPIError);
  const e = error as ForgeKvsAPIError;
  return { code: e.code, status: e.responseDetails.status };
}

const INVALID = { code: 'INVALID_ENTITY_VALUE', status: 400 };

describe('attribute values', () => {
  it.each([
    ['an empty string', { title: '' }],
    ['a string of spaces', { title: '   ' }],
    ['a string of tabs and newlines', { status: '\t\n\r ' }],
    ['a float under 1E-130', { score: 1e-131 }],
    ['a negative float under 1E-130 in magnitude', { score: -1e-131 }],
    ['a float over 1E126', { score: 1.0000001e126 }],
    ['a float under -1E126', { score: -1e127 }],
    ['an integer over 32 bits', { priority: 2 ** 31 }],
    ['an integer under 32 bits', { priority: -(2 ** 31) - 1 }],
  ])('refuses %s with INVALID_ENTITY_VALUE on set, in a transaction and in a batch', async (_name, bad) => {
    const value = { project: 'p', priority: 1, ...bad } as TaskValue;
    expect(await failure(tasks.set('bad', value))).toEqual(INVALID);
    expect(await failure(kvs.transact().set('bad', value, { entityName: 'task' }).execute())).toEqual(
      INVALID,
    );
    const batch = await kvs.batchSet([{ key: 'bad', value, entityName: 'task' }]);
    expect(batch.failedKeys).toEqual([
      {
        key: 'bad',
        entityName: 'task',
        error: { code: 'INVALID_ENTITY_VALUE', message: expect.any(String) },
      },
    ]);
    expect(rt.kvs.inspect.getEntity('task', 'bad')).toBeUndefined();
  });

  it('names the attribute and the rule', async () => {
    const error = (await rejectionOf(tasks.set('bad', { title: ' ' }))) as ForgeKvsAPIError;
    expect(error.message).toMatch(/task\.title.*non-whitespace/);
    expect(error.context).toMatchObject({ attribute: 'title', type: 'string' });
  });

  it('accepts the bounds: a padded string, 0, ±1E-130, ±1E126, 32-bit extremes, and anything in `any`', async () => {
    const values: TaskValue[] = [
      { title: ' x ', score: 0, priority: -(2 ** 31) },
      { title: 'x', score: -0, priority: 2 ** 31 - 1 },
      { score: 1e-130, payload: '' },
      { score: -1e-130, payload: '   ' },
      { score: 1e126 }, // the docs' 9.9999999999999999999999999999999999999E+125, as a double
      { score: -1e126 },
    ];
    for (const [i, value] of values.entries()) {
      await tasks.set(`ok${i}`, value);
      await kvs.transact().set(`tx${i}`, value, { entityName: 'task' }).execute();
    }
    expect(rt.kvs.inspect.listEntity('task')).toHaveLength(values.length * 2);
  });

  it('leaves plain KVS values alone: empty strings are fine there', async () => {
    await kvs.set('empty', '');
    await kvs.set('record', { reason: '', tiny: 1e-300 });
    expect(await kvs.get('empty')).toBe('');
    expect(await kvs.get('record')).toEqual({ reason: '', tiny: 1e-300 });
  });
});

describe('an empty key', () => {
  const TOO_SHORT = { code: 'KEY_TOO_SHORT', status: 400 };
  const EMPTY = { code: 'EMPTY_KEY', status: 400 };

  it('is KEY_TOO_SHORT on the Key-Value Store: keys, secrets, batches and transactions', async () => {
    expect(await failure(kvs.get(''))).toEqual(TOO_SHORT);
    expect(await failure(kvs.set('', 1))).toEqual(TOO_SHORT);
    expect(await failure(kvs.delete(''))).toEqual(TOO_SHORT);
    expect(await failure(kvs.getSecret(''))).toEqual(TOO_SHORT);
    expect(await failure(kvs.setSecret('', 1))).toEqual(TOO_SHORT);
    expect(await failure(kvs.deleteSecret(''))).toEqual(TOO_SHORT);
    expect(await failure(kvs.transact().set('', 1).execute())).toEqual(TOO_SHORT);
    const batch = await kvs.batchSet([{ key: '', value: 1 }]);
    expect(batch.failedKeys).toEqual([
      { key: '', error: { code: 'KEY_TOO_SHORT', message: expect.any(String) } },
    ]);
  });

  it('is EMPTY_KEY on the Custom Entity Store: get, set, delete, batches and transactions', async () => {
    expect(await failure(tasks.get(''))).toEqual(EMPTY);
    expect(await failure(tasks.set('', { title: 'x' }))).toEqual(EMPTY);
    expect(await failure(tasks.delete(''))).toEqual(EMPTY);
    expect(await failure(kvs.transact().set('', { title: 'x' }, { entityName: 'task' }).execute())).toEqual(
      EMPTY,
    );
    const batch = await kvs.batchSet([{ key: '', value: { title: 'x' }, entityName: 'task' }]);
    expect(batch.failedKeys).toEqual([
      { key: '', entityName: 'task', error: { code: 'EMPTY_KEY', message: expect.any(String) } },
    ]);
  });
});
