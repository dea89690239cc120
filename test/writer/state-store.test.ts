// Reading partitions' state records and command receipts (src/shared/writer/state-store.ts), against
// the local KVS: one `get` for a lone partition, `batchGet`s of 25 keys otherwise, a partition with
// no record read as its empty one and listed as missing, and a key the batch read fails on (for a
// reason other than its absence) surfacing as a storage error, not as a missing partition.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Counters, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { WriterError } from '../../src/shared/writer/index.js';
import { deposit } from '../../src/shared/writer/coalescing.js';
import { loadStatesAndReceipts } from '../../src/shared/writer/state-store.js';
import { emptyStateRecord } from '../../src/shared/writer/storage-layout.js';
import { recordActivity, startApp, storedIssue } from './harness.js';
import { commitElsewhere } from './intercepted-transactions.js';

const config = issueWriter.config;

describe('loading states and receipts', () => {
  let rt: LocalForgeRuntime;
  beforeEach(async () => {
    rt = await startApp();
  });
  afterEach(() => rt.close());

  /** What `run` returns, and the KVS requests it made, by kind. */
  async function measured<T>(run: () => Promise<T>) {
    const before = rt.metered();
    const value = await rt.runAsApp(run);
    const cost = Counters.diff(before, rt.metered());
    return { value, gets: cost['kvs.entity.get'] ?? 0, batchGets: cost['kvs.batch.get'] ?? 0 };
  }

  it('reads a lone partition with one get, and no receipt when none is asked for', async () => {
    await rt.runAsApp(() => commitElsewhere(config, '10001'));
    const { value, gets, batchGets } = await measured(() => loadStatesAndReceipts(config, ['10001']));
    expect([gets, batchGets]).toEqual([1, 0]);
    expect(value.states).toEqual(new Map([['10001', storedIssue(rt, '10001')]]));
    expect(value.missing).toEqual(new Set());
    expect(value.receipts).toEqual(new Map());

    const absent = await measured(() => loadStatesAndReceipts(config, ['10002']));
    expect([absent.gets, absent.batchGets]).toEqual([1, 0]);
    expect(absent.value.states).toEqual(new Map([['10002', emptyStateRecord(config, '10002')]]));
    expect(absent.value.missing).toEqual(new Set(['10002']));
  });

  it('reads exactly 25 keys in one request, and 26 in two', async () => {
    const ids = Array.from({ length: 26 }, (_, i) => String(30_000 + i));
    for (const [count, requests] of [
      [25, 1],
      [26, 2],
    ] as const) {
      const { value, batchGets } = await measured(() => loadStatesAndReceipts(config, ids.slice(0, count)));
      expect(batchGets).toBe(requests);
      expect(value.missing.size).toBe(count);
    }
  });

  it('reads many partitions and receipts in batches of 25, each where it belongs', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => String(20_000 + i));
    const stored = ids.filter((_, i) => i % 2 === 0);
    await rt.runAsApp(async () => {
      for (const id of stored) await commitElsewhere(config, id);
    });
    const deposits = ids.slice(0, 10).map((id) => recordActivity(id));
    expect(await rt.runAsApp(() => deposit(config, deposits))).toBe(10);
    const commandIds = [...deposits.map((d) => d.commandId), 'cmd-never-sent-1'];

    const { value, gets, batchGets } = await measured(() => loadStatesAndReceipts(config, ids, commandIds));
    // 30 states and 11 receipts: 41 keys, two requests.
    expect([gets, batchGets]).toEqual([0, 2]);
    expect([...value.states.keys()].sort()).toEqual(ids);
    for (const id of stored) expect(value.states.get(id)).toEqual(storedIssue(rt, id));
    const missing = ids.filter((id) => !stored.includes(id));
    expect([...value.missing].sort()).toEqual(missing);
    for (const id of missing) expect(value.states.get(id)).toEqual(emptyStateRecord(config, id));
    expect([...value.receipts.keys()].sort()).toEqual(deposits.map((d) => d.commandId).sort());
    expect(value.receipts.get(deposits[0]!.commandId)).toMatchObject({ status: 'pending', issueId: ids[0] });

    // Two partitions (or one with a receipt) are never read with a lone get.
    const two = await measured(() => loadStatesAndReceipts(config, [stored[0]!, stored[1]!]));
    expect([two.gets, two.batchGets]).toEqual([0, 1]);
    expect(two.value.missing).toEqual(new Set());
    expect(two.value.states.get(stored[1]!)).toEqual(storedIssue(rt, stored[1]!));
    const withReceipt = await measured(() => loadStatesAndReceipts(config, [ids[0]!], [commandIds[0]!]));
    expect([withReceipt.gets, withReceipt.batchGets]).toEqual([0, 1]);
    expect(withReceipt.value.receipts.get(commandIds[0]!)?.status).toBe('pending');
  });

  it('throws storage-unavailable, naming how many keys failed and why, when a batch read fails on a key', async () => {
    await rt.runAsApp(() => commitElsewhere(config, '10001'));
    const error = await rt
      .runAsApp(() => loadStatesAndReceipts(config, ['10001', 'not/a/key', 'nor/this']))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriterError);
    expect(error).toMatchObject({
      code: 'storage-unavailable',
      message:
        'batch read failed for 2 key(s): The key contains characters outside [a-zA-Z0-9:._\\s-#] or is only whitespace',
    });
  });
});
