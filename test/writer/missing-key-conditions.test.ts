// Forge does not document whether a transaction condition on a key that does not exist yet passes
// (docs/platform.md, "unconfirmed"). Under the profile where it always fails, the consumer must
// still apply the first commands of a new partition, each once: it creates the empty record
// first (FAIL_IF_EXISTS) and commits on it, even when racing consumers create it at the same time.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { recordActivity, startApp, storedIssue, storedReceipt } from './harness.js';

describe('conditions on a missing key that always fail', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('applies the racing first commands of a new issue, each once, with versions 1 to N', async () => {
    rt = await startApp({
      seed: 11,
      platform: 'missing-key-condition-fails',
      latency: { kvsRead: [5, 30], kvsWrite: [10, 40] },
    });
    const commands = Array.from({ length: 6 }, () => recordActivity('10001'));
    // Separate events with no concurrency key: their consumers race to create the record.
    await rt.runAsApp(() =>
      Promise.all(commands.map((c) => issueWriter.enqueue([c], { concurrencyKey: false }))),
    );
    await rt.runUntilIdle();
    const stored = storedIssue(rt, '10001');
    expect(stored?.version).toBe(6);
    expect(stored?.state.activity.counts.updated).toBe(6);
    const versions = commands.map((c) => storedReceipt(rt, c.commandId)).map((r) => [r?.status, r?.version]);
    expect(versions.every(([status]) => status === 'applied')).toBe(true);
    expect(versions.map(([, v]) => v).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
