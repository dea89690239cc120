// The consumer: conflicts resolved in the invocation, retries through InvocationError with backoff,
// final rejections, dead letters before retention, replay, and deduplication over Forge's window.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { Counters } from '../../local-runtime/index.js';
import { envelopeFor, recordActivity, startApp, storedIssue, storedReceipt } from './harness.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import {
  backoffSeconds,
  encodeRetryData,
  mustDeadLetter,
  DEAD_LETTER_MARGIN_MS,
  MAX_RETRY_AFTER_SECONDS,
} from '../../src/shared/writer/consumer/retry-policy.js';

const HOUR = 60 * 60 * 1000;

describe('consumer', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('resolves a conflict inside the invocation, without asking the queue to retry', async () => {
    rt = await startApp({ seed: 4, latency: { kvsRead: [5, 30], kvsWrite: [10, 40] } });
    // Separate events with no concurrency key: their consumers race on the same issue.
    await rt.runAsApp(() =>
      Promise.all(
        Array.from({ length: 6 }, () =>
          issueWriter.enqueue([recordActivity('10001')], { concurrencyKey: false }),
        ),
      ),
    );
    await rt.runUntilIdle();
    expect(rt.metered()['kvs.failedConditions']).toBeGreaterThan(0);
    expect(rt.metered()['events.retryRequested']).toBe(0);
    expect(storedIssue(rt, '10001')?.state.activity.counts.updated).toBe(6);
  });

  it('asks for a later retry with backoff and the attempt in retryData while storage fails, then applies', async () => {
    rt = await startApp({ seed: 2, trace: true, faults: { kvs: { serverError: 1 } } });
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue([cmd]));
    await rt.advance(20 * 60 * 1000); // twenty minutes of failing storage
    rt.setFaults({});
    await rt.runUntilIdle();
    const retries = rt
      .trace()
      .filter((t) => t.kind === 'event' && t.detail.step === 'outcome' && t.detail.retry === 'requested');
    // The first 8 retries' waits. Retry n waits 1 s to 2^(n+1) s (docs/writer/backoff.md,
    // `redelivery`): each wait is inside its own attempt's window, and the windows grow, so the
    // last four wait on average more than twice the first four and past the first window's 4 s
    // ceiling. Jitter in a fixed window, without backoff, fails both.
    const delays = retries.slice(0, 8).map((t) => t.detail.inMs as number);
    expect(delays).toHaveLength(8);
    delays.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(2 ** (i + 2) * 1000));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(delays.slice(4))).toBeGreaterThan(4_000);
    expect(mean(delays.slice(4))).toBeGreaterThan(2 * mean(delays.slice(0, 4)));
    expect(storedReceipt(rt, cmd.commandId)).toMatchObject({ status: 'applied', version: 1 });
  });

  it('records a stale-view rejection as final, with its reason', async () => {
    rt = await startApp();
    const add = envelopeFor('10001', { type: 'checklist.add', payload: { itemId: 'a', text: 'A' } });
    await rt.runAsApp(() => issueWriter.enqueue([add]));
    await rt.runUntilIdle();
    const stale = envelopeFor(
      '10001',
      { type: 'checklist.check', payload: { itemId: 'a', checked: true } },
      { expectedVersion: 0 },
    );
    await rt.runAsApp(() => issueWriter.enqueue([stale]));
    await rt.runUntilIdle();
    const [status] = await rt.runAsApp(() => issueWriter.readStatuses([stale.commandId]));
    expect(status).toMatchObject({
      status: 'rejected',
      version: 1,
      reason: expect.stringContaining('stale view'),
    });
    // Sent again, it stays rejected: the receipt is the record of its fate.
    await rt.runAsApp(() => issueWriter.enqueue([stale]));
    await rt.runUntilIdle();
    expect(storedReceipt(rt, stale.commandId)?.status).toBe('rejected');
    expect(storedIssue(rt, '10001')?.version).toBe(1);
  });

  it('dead-letters before the retention window would drop the event; a replay applies it once', async () => {
    rt = await startApp({
      // A seed where the 10 % of storage calls that succeed never include a whole commit.
      seed: 1,
      faults: { kvs: { serverError: 0.9 } },
      events: { retentionMs: 3 * HOUR },
    });
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue([cmd]));
    await rt.runUntilIdle();
    expect(rt.metered()['events.dropped']).toBe(0);
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');

    rt.setFaults({});
    const page = await rt.runAsApp(() => issueWriter.deadLetters.list('open'));
    expect(page.deadLetters).toEqual([
      expect.objectContaining({
        deadLetterId: cmd.commandId,
        reason: expect.stringContaining('storage error'),
      }),
    ]);
    await rt.runAsApp(() => issueWriter.deadLetters.replay([cmd.commandId]));
    await rt.runUntilIdle();
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('applied');
    expect((await rt.runAsApp(() => issueWriter.deadLetters.list('replayed'))).deadLetters).toHaveLength(1);
    // The same command arriving again (a late duplicate of the original) changes nothing.
    await rt.runAsApp(() => issueWriter.enqueue([cmd]));
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10001')?.state.activity.counts.updated).toBe(1);
  });

  it('reads the statuses of up to 25 commands in one storage request', async () => {
    rt = await startApp();
    const applied = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue([applied]));
    await rt.runUntilIdle();
    const ids = [applied.commandId, ...Array.from({ length: 24 }, (_, i) => `cmd-never-sent-${i}`)];
    const before = rt.metered();
    const statuses = await rt.runAsApp(() => issueWriter.readStatuses(ids));
    expect(Counters.diff(before, rt.metered())['kvs.requests']).toBe(1);
    expect(statuses[0]).toMatchObject({ commandId: applied.commandId, status: 'applied', version: 1 });
    expect(statuses.slice(1).every((s) => s.status === 'pending')).toBe(true);
    await expect(rt.runAsApp(() => issueWriter.readStatuses([...ids, 'one-too-many']))).rejects.toMatchObject(
      { name: 'WriterError', code: 'too-many-ids', retryable: false },
    );
  });
});

describe('deduplication over the whole redelivery window', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('refuses a duplicate arriving 95 hours later, after 600 other commands on the same issue, in one read', async () => {
    rt = await startApp();
    const first = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue([first]));
    await rt.runUntilIdle();
    for (let i = 0; i < 5; i++) {
      await rt.runAsApp(() =>
        issueWriter.enqueue(Array.from({ length: 120 }, () => recordActivity('10001'))),
      );
      await rt.runUntilIdle();
    }
    await rt.advance(95 * HOUR);
    const before = rt.metered();
    await rt.runAsApp(() => issueWriter.enqueue([first]));
    await rt.runUntilIdle();
    const cost = Counters.diff(before, rt.metered());
    expect(storedIssue(rt, '10001')?.state.activity.counts.updated).toBe(601);
    expect(storedIssue(rt, '10001')?.version).toBe(601);
    // A single command's consumer reads its receipt with the state (coalescing.ts): one read,
    // and no write but the deposit, which the settled receipt refuses.
    expect(cost['kvs.readRequests']).toBe(1);
    expect(cost['kvs.writeRequests']).toBe(1);
    expect(cost['kvs.failedConditions']).toBe(1);
  });
});

describe('retry policy', () => {
  it('backs off exponentially with full jitter, capped at Forge’s 900 s', () => {
    expect(backoffSeconds(1, () => 0.999)).toBe(4);
    expect(backoffSeconds(5, () => 0.999)).toBe(64);
    expect(backoffSeconds(20, () => 0.999)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(backoffSeconds(20, () => 0)).toBe(1);
  });

  it('dead-letters when the next retry would come too close to the end of the window', () => {
    expect(mustDeadLetter(3, DEAD_LETTER_MARGIN_MS + 10_000, 5)).toBe(false);
    expect(mustDeadLetter(3, DEAD_LETTER_MARGIN_MS + 10_000, 20)).toBe(true);
    expect(mustDeadLetter(40, 24 * HOUR, 1)).toBe(true);
  });

  it('keeps retryData under Forge’s 4 KB limit, dropping settled ids that do not fit', () => {
    const data = encodeRetryData({
      attempt: 2,
      settled: Array.from({ length: 500 }, (_, i) => `cmd-${'x'.repeat(30)}-${i}`),
    });
    expect(JSON.stringify(data).length).toBeLessThanOrEqual(3500);
    expect(data.settled!.length).toBeGreaterThan(0);
  });
});
