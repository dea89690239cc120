// What the writer costs in metered Forge quota, counted by the runtime.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { Counters } from '../../local-runtime/index.js';
import { recordActivity, startApp, storedIssue } from './harness.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { RECEIPTS_PER_CHUNK } from '../../src/shared/writer/consumer/settle-pass.js';

describe('writer cost', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  // The second write is the command's deposit (coalescing.ts): what makes a burst of single
  // commands on one issue fast. A batch deposits nothing.
  it('settles one command with 1 read, 2 writes and 1 event', async () => {
    rt = await startApp();
    const before = rt.metered();
    await rt.runAsApp(() => issueWriter.enqueue([recordActivity('10001')]));
    await rt.runUntilIdle();
    const cost = Counters.diff(before, rt.metered());
    expect(storedIssue(rt, '10001')?.version).toBe(1);
    expect(cost['kvs.readRequests']).toBe(1);
    expect(cost['kvs.writeRequests']).toBe(2);
    expect(cost['events.pushed']).toBe(1);
  });

  it('deposits nothing for a single command enqueued with coalesce: false', async () => {
    rt = await startApp();
    const before = rt.metered();
    await rt.runAsApp(() => issueWriter.enqueue([recordActivity('10001')], { coalesce: false }));
    await rt.runUntilIdle();
    const cost = Counters.diff(before, rt.metered());
    expect(storedIssue(rt, '10001')?.version).toBe(1);
    expect(cost['kvs.readRequests']).toBe(1);
    expect(cost['kvs.writeRequests']).toBe(1);
  });

  it.each([2, 10, 24, 25, 48, 100, 240])(
    'settles %i commands for one issue with 1 read and ceil(N/24) writes',
    async (n) => {
      rt = await startApp();
      const before = rt.metered();
      await rt.runAsApp(() => issueWriter.enqueue(Array.from({ length: n }, () => recordActivity('10002'))));
      await rt.runUntilIdle();
      const cost = Counters.diff(before, rt.metered());
      expect(storedIssue(rt, '10002')?.version).toBe(n);
      expect(storedIssue(rt, '10002')?.state.activity.counts.updated).toBe(n);
      expect(cost['events.pushed']).toBe(1);
      expect(cost['kvs.readRequests']).toBe(1);
      expect(cost['kvs.writeRequests']).toBe(Math.ceil(n / RECEIPTS_PER_CHUNK));
    },
  );
});
