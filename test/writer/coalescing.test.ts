// Coalescing (src/shared/writer/coalescing.ts): single commands deposit themselves, and a consumer
// on a busy issue applies every deposit it finds, each exactly once, while the held-back events
// whose command it applied end after one read.
import { afterEach, describe, expect, it } from 'vitest';
import { Counters, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { EnqueueError } from '../../src/shared/writer/index.js';
import { deposit, loadDeposits } from '../../src/shared/writer/coalescing.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { recordActivity, startApp, storedIssue, storedReceipt } from './harness.js';

const config = issueWriter.config;

const REALISTIC = {
  latency: { kvsRead: [8, 22], kvsWrite: [15, 35], push: [30, 50], delivery: [500, 2000], jira: 0 },
} as const;

describe('coalescing', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('applies a burst of single commands on a busy issue in a few consumer runs, each once', async () => {
    rt = await startApp({ seed: 3, ...REALISTIC });
    await rt.runAsApp(() => issueWriter.enqueue(recordActivity('10001')));
    await rt.runUntilIdle();
    const before = rt.metered();
    // 60 webhooks, each enqueuing its own command, all at once.
    const burst = Array.from({ length: 60 }, () => recordActivity('10001'));
    await Promise.all(burst.map((cmd) => rt.runAsApp(() => issueWriter.enqueue(cmd))));
    await rt.runUntilIdle();
    const cost = Counters.diff(before, rt.metered());

    const stored = storedIssue(rt, '10001')!;
    expect(stored.version).toBe(61);
    expect(stored.state.activity.counts.updated).toBe(61);
    const receipts = burst.map((cmd) => storedReceipt(rt, cmd.commandId)!);
    expect(receipts.every((r) => r.status === 'applied')).toBe(true);
    expect(new Set(receipts.map((r) => r.version)).size).toBe(60);
    // Most were applied from their deposit by another event's consumer...
    expect(receipts.filter((r) => r.coalesced === true).length).toBeGreaterThan(40);
    // ...in far fewer commits than commands (each write but the 60 deposits is a commit)...
    expect(cost['kvs.writeRequests']! - 60).toBeLessThan(15);
    expect(cost['kvs.failedConditions'] ?? 0).toBe(0);
    const pending = rt.storage
      .listEntity('command-receipt')
      .filter((i) => storedReceipt(rt, i.key)?.status === 'pending');
    expect(pending).toEqual([]);
  });

  it('reports a deposited command as pending until a consumer settles it', async () => {
    rt = await startApp(REALISTIC);
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue(cmd));
    expect(storedReceipt(rt, cmd.commandId)).toMatchObject({ status: 'pending', envelope: cmd });
    const [before] = await rt.runAsApp(() => issueWriter.readStatuses([cmd.commandId]));
    expect(before).toEqual({ commandId: cmd.commandId, status: 'pending' });
    await rt.runUntilIdle();
    const receipt = storedReceipt(rt, cmd.commandId)!;
    expect(receipt.status).toBe('applied');
    expect(receipt.envelope).toBeUndefined();
  });

  it('never deposits over a settled receipt: a command sent again stays applied once', async () => {
    rt = await startApp();
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue(cmd));
    await rt.runUntilIdle();
    await rt.runAsApp(() => issueWriter.enqueue(recordActivity('10001')));
    // Sent again while the issue is busy: its deposit is refused, its event finds the receipt.
    const result = await rt.runAsApp(() => issueWriter.enqueue(cmd));
    expect(result.deposited).toBe(0);
    await rt.runUntilIdle();
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('applied');
    expect(storedIssue(rt, '10001')?.version).toBe(2);
  });

  it('leaves no deposit for a command the queue refused', async () => {
    rt = await startApp({ faults: { push: { serverError: 1 } } });
    const cmd = recordActivity('10001');
    await expect(rt.runAsApp(() => issueWriter.enqueue(cmd))).rejects.toBeInstanceOf(EnqueueError);
    expect(storedReceipt(rt, cmd.commandId)).toBeUndefined();
  });

  it('deposits nothing for a batch, a replay or an event without the concurrency key', async () => {
    rt = await startApp();
    const batch = await rt.runAsApp(() =>
      issueWriter.enqueue([recordActivity('10001'), recordActivity('10001')]),
    );
    const noKey = await rt.runAsApp(() =>
      issueWriter.enqueue(recordActivity('10002'), { concurrencyKey: false }),
    );
    expect([batch.deposited, noKey.deposited]).toEqual([0, 0]);
  });
});

describe('loading deposits', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  /** The deposits `loadDeposits` returns for the issue, and the queries it made for them. */
  async function load(issueId: string, limit: number) {
    const before = rt.metered();
    const found = await rt.runAsApp(() => loadDeposits(config, issueId, limit));
    return {
      ids: found.map((e) => e.commandId),
      queries: Counters.diff(before, rt.metered())['kvs.entity.query'],
    };
  }

  it("pages through an issue's deposits 100 at a time, oldest first, up to the limit and no further", async () => {
    rt = await startApp();
    // 150 deposits made in the same instant come in command id order.
    const deposits = Array.from({ length: 150 }, () => recordActivity('10001'));
    expect(await rt.runAsApp(() => deposit(config, deposits))).toBe(150);
    expect(await rt.runAsApp(() => deposit(config, [recordActivity('10002')]))).toBe(1);
    const ids = deposits.map((d) => d.commandId);

    expect(await load('10001', 240)).toEqual({ ids, queries: 2 });
    // The second page asks only for what is left of the limit.
    expect(await load('10001', 120)).toEqual({ ids: ids.slice(0, 120), queries: 2 });
    // Once the limit is reached, more deposits behind the cursor are not asked for.
    expect(await load('10001', 100)).toEqual({ ids: ids.slice(0, 100), queries: 1 });
    expect(await load('10001', 3)).toEqual({ ids: ids.slice(0, 3), queries: 1 });
    // Made later, a deposit comes later, whatever its command id.
    const older = recordActivity('10003', { commandId: 'cmd-zz-older' });
    const newer = recordActivity('10003', { commandId: 'cmd-aa-newer' });
    await rt.runAsApp(() => deposit(config, [older]));
    await rt.advance(1_000);
    await rt.runAsApp(() => deposit(config, [newer]));
    expect(await load('10003', 240)).toEqual({ ids: [older.commandId, newer.commandId], queries: 1 });
  });
});
