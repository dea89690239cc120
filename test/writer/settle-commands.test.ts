// settleCommands, the consumer's core, against the local KVS with commits intercepted: each way a
// commit can fail is set up exactly (a competing commit just before ours, our commit going through
// but answering with an error, a refusal nothing stored explains) and the test checks what the
// next read decides, how often it commits, how long it waits and what it reports.
// docs/writer.md, "The consumer, step by step".
import { ForgeKvsAPIError, kvs } from '@forge/kvs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import type { AnyEnvelope, Committed } from '../../src/shared/writer/index.js';
import { deposit, HOT_WINDOW_MS } from '../../src/shared/writer/coalescing.js';
import { createStateRecords } from '../../src/shared/writer/consumer/commit.js';
import { settleCommands, type SettleOptions } from '../../src/shared/writer/consumer/settle-commands.js';
import { appPerTest, envelopeFor, recordActivity, storedIssue, storedReceipt } from './harness.js';
import { commitElsewhere, interceptTransactions } from './intercepted-transactions.js';

const config = issueWriter.config;
type Execute = () => Promise<unknown>;
/** What to do with commit `n` (0 = the first): run it, or not, and answer as the platform would. */
type OnCommit = (n: number, execute: Execute) => Promise<unknown>;

const kvsError = (status: number, code: string) =>
  new ForgeKvsAPIError({ status, statusText: code }, { code, message: `${code} happened` });

describe('settleCommands', () => {
  const app = appPerTest();
  let commits: number;
  let waits: number[];
  beforeEach(async () => {
    commits = 0;
    waits = [];
  });

  function interceptCommits(onCommit: OnCommit): void {
    interceptTransactions((tx) => onCommit(commits++, tx.execute));
  }

  /** Counts commits without changing them. */
  const countCommits = () => interceptCommits((_, execute) => execute());

  const settle = (commands: AnyEnvelope[], options: SettleOptions = {}, onCommit = config.onCommit) =>
    app().runAsApp(() =>
      settleCommands({ ...config, onCommit }, commands, {
        sleep: async (ms) => void waits.push(ms),
        ...options,
      }),
    );

  /** Another consumer commits on the issue: same state, a new commit stamp and, if asked, version. */
  const competingCommit = (issueId: string, bumpVersion = true) =>
    app().runAsApp(() => commitElsewhere(config, issueId, bumpVersion));

  async function applied(...commands: AnyEnvelope[]): Promise<void> {
    const result = await app().runAsApp(() => settleCommands(config, commands));
    expect(result.unsettled).toEqual([]);
  }

  it('applies each command once, the first of those sharing an id, skipping ids already settled', async () => {
    countCommits();
    const first = recordActivity('10001');
    const sameId = envelopeFor(
      '10001',
      { type: 'activity.record', payload: { kind: 'commented', at: 2 } },
      {
        commandId: first.commandId,
      },
    );
    const known = recordActivity('10001');
    const result = await settle([first, sameId, known], { alreadySettled: [known.commandId] });
    expect(result).toMatchObject({
      unsettled: [],
      conflicts: 0,
      reusedIds: [],
      drained: 0,
      drainedSettled: 0,
    });
    expect([...result.settled].sort()).toEqual([first.commandId, known.commandId].sort());
    expect(storedIssue(app(), '10001')?.version).toBe(1);
    expect(storedIssue(app(), '10001')?.state.activity.counts.updated).toBe(1);
    expect(storedReceipt(app(), known.commandId)).toBeUndefined();
    expect(commits).toBe(1);
    expect(waits).toEqual([]);
  });

  it('stores nothing and reads nothing when every command is already settled', async () => {
    const cmd = recordActivity('10001');
    const before = app().metered()['kvs.requests'];
    expect(before).toBeTypeOf('number');
    const result = await settle([cmd], { alreadySettled: [cmd.commandId] });
    expect(app().metered()['kvs.requests']).toBe(before);
    expect(result).toMatchObject({ unsettled: [], conflicts: 0 });
  });

  it('reads receipts up front only when asked (a redelivery), and then skips settled commands without a commit', async () => {
    const done = recordActivity('10001');
    await applied(done);
    countCommits();
    const fresh = recordActivity('10001');
    const reads = () => {
      const m = app().metered();
      return { requests: m['kvs.readRequests'], gets: m['kvs.entity.get'], batches: m['kvs.batch.get'] };
    };
    let before = reads();
    await settle([recordActivity('10002')]);
    // A first delivery reads the state alone: one request, a single get, no receipt.
    expect(reads()).toEqual({
      requests: before.requests + 1,
      gets: before.gets + 1,
      batches: before.batches,
    });
    expect(commits).toBe(1);

    const failedConditions = app().metered()['kvs.failedConditions'];
    before = reads();
    const result = await settle([done, fresh], { receiptsFirst: true });
    expect(result).toMatchObject({ unsettled: [], conflicts: 0, reusedIds: [] });
    expect(commits).toBe(2);
    expect(app().metered()['kvs.failedConditions']).toBe(failedConditions);
    // The state and both receipts, in one batch.
    expect(reads()).toEqual({
      requests: before.requests + 1,
      gets: before.gets,
      batches: before.batches + 1,
    });
    expect(storedIssue(app(), '10001')?.version).toBe(2);
  });

  it('reports a settled id reused by a different command, and never applies it', async () => {
    const original = recordActivity('10001');
    await applied(original);
    const reused = envelopeFor(
      '10001',
      { type: 'activity.record', payload: { kind: 'commented', at: 9 } },
      {
        commandId: original.commandId,
      },
    );
    const result = await settle([reused], { receiptsFirst: true });
    expect(result.reusedIds).toEqual([reused]);
    expect(result.unsettled).toEqual([]);
    expect(storedIssue(app(), '10001')?.state.activity.counts.updated).toBe(1);
  });

  it('settles a command whose receipt predates fingerprints, without calling its id reused', async () => {
    const original = recordActivity('10001');
    await applied(original);
    // A receipt written before receipts carried a fingerprint: it names no command to compare with.
    const { fingerprint, ...older } = storedReceipt(app(), original.commandId)!;
    expect(fingerprint).toEqual(expect.any(String));
    await app().runAsApp(() => kvs.entity('command-receipt').set(original.commandId, older));
    const result = await settle([original], { receiptsFirst: true });
    expect(result).toMatchObject({ unsettled: [], reusedIds: [] });
    expect(storedIssue(app(), '10001')?.version).toBe(1);
  });

  it('counts a competing commit as a conflict, waits a jittered 10 to 50 ms, and applies on top of it', async () => {
    await applied(recordActivity('10001'));
    interceptCommits(async (n, execute) => {
      if (n === 0) await competingCommit('10001');
      return execute();
    });
    const result = await settle([recordActivity('10001')]);
    expect(result).toMatchObject({ unsettled: [], conflicts: 1 });
    expect(commits).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(10);
    expect(waits[0]).toBeLessThanOrEqual(50);
    expect(storedIssue(app(), '10001')?.version).toBe(3);
  });

  it('counts a competing commit that only moved the commit stamp (it refused everything) as a conflict', async () => {
    await applied(recordActivity('10001'));
    interceptCommits(async (n, execute) => {
      if (n === 0) await competingCommit('10001', false);
      return execute();
    });
    const result = await settle([recordActivity('10001')]);
    expect(result).toMatchObject({ unsettled: [], conflicts: 1 });
    expect(storedIssue(app(), '10001')?.version).toBe(2);
  });

  it('counts a record created by someone else after an empty read as a conflict', async () => {
    interceptCommits(async (n, execute) => {
      if (n === 0) await competingCommit('10001');
      return execute();
    });
    const result = await settle([recordActivity('10001')]);
    expect(result).toMatchObject({ unsettled: [], conflicts: 1 });
    expect(storedIssue(app(), '10001')?.version).toBe(2);
  });

  it('counts a command dead-lettered meanwhile (its receipt settled, the record unchanged) as a conflict', async () => {
    await applied(recordActivity('10001'));
    const [lettered, other] = [recordActivity('10001'), recordActivity('10001')];
    interceptCommits(async (n, execute) => {
      if (n === 0)
        await app().runAsApp(() =>
          kvs.entity(config.entities.receipt).set(lettered.commandId, {
            commandId: lettered.commandId,
            issueId: '10001',
            status: 'dead-lettered',
            version: 1,
            reason: 'kept failing',
            settledAt: 1,
          }),
        );
      return execute();
    });
    const result = await settle([lettered, other]);
    // Decided from the receipt: a conflict, retried with conditions as before (not as unexplained).
    expect(result).toMatchObject({ unsettled: [], conflicts: 1 });
    expect(storedReceipt(app(), lettered.commandId)?.status).toBe('dead-lettered');
    expect(storedReceipt(app(), other.commandId)?.status).toBe('applied');
    expect(storedIssue(app(), '10001')?.version).toBe(2);
  });

  it('counts a record that vanished before the commit as a conflict, even an empty one just created', async () => {
    await app().runAsApp(() => createStateRecords(config, ['10001']));
    interceptCommits(async (n, execute) => {
      if (n === 0) await app().runAsApp(() => kvs.entity(config.entities.state).delete('10001'));
      return execute();
    });
    const result = await settle([recordActivity('10001')]);
    expect(result).toMatchObject({ unsettled: [], conflicts: 1 });
    expect(storedIssue(app(), '10001')?.version).toBe(1);
  });

  it('gives up for now after the inline attempts, each conflict waiting longer, with the commands unsettled', async () => {
    await applied(recordActivity('10001'));
    interceptCommits(async (_, execute) => {
      await competingCommit('10001');
      return execute();
    });
    const cmd = recordActivity('10001');
    const result = await settle([cmd]);
    expect(result).toMatchObject({ unsettled: [cmd], conflicts: 3 });
    expect(result.error).toBeUndefined();
    expect(result.permanent).toBeUndefined();
    expect(commits).toBe(3);
    // A wait before each read after a failed round, up to 50, 100 and 200 ms.
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeLessThanOrEqual(50);
    expect(waits[1]).toBeLessThanOrEqual(100);
    expect(waits[2]).toBeLessThanOrEqual(200);
    expect(waits[2]).toBeGreaterThan(0);
    expect(storedReceipt(app(), cmd.commandId)).toBeUndefined();
  });

  it('tells a commit that went through but answered with an error from a failed one, and applies nothing twice', async () => {
    interceptCommits(async (n, execute) => {
      const answer = await execute();
      if (n === 0) throw kvsError(500, 'INTERNAL_SERVER_ERROR');
      return answer;
    });
    const cmd = recordActivity('10001');
    const result = await settle([cmd]);
    expect(result).toMatchObject({ unsettled: [], conflicts: 1 });
    expect(result.error).toBeUndefined();
    expect(result.settled).toEqual(new Set([cmd.commandId]));
    expect(commits).toBe(1);
    expect(storedIssue(app(), '10001')?.version).toBe(1);
  });

  it('meets an unexplained refusal by creating the missing record and committing without conditions', async () => {
    interceptCommits(async (n, execute) => {
      if (n === 0) throw kvsError(400, 'CONDITION_NOT_SUPPORTED');
      return execute();
    });
    const cmd = recordActivity('10001');
    const result = await settle([cmd]);
    expect(result).toMatchObject({ unsettled: [], conflicts: 0 });
    expect(result.error).toBeUndefined();
    expect(result.permanent).toBeUndefined();
    expect(commits).toBe(2);
    expect(waits).toHaveLength(1);
    expect(storedIssue(app(), '10001')?.version).toBe(1);
    expect(storedReceipt(app(), cmd.commandId)?.status).toBe('applied');
  });

  it('retries a 4xx nothing explains once more at once, then fails it as permanent, naming it', async () => {
    await applied(recordActivity('10001'));
    interceptCommits(async () => {
      throw kvsError(400, 'VALUE_TOO_LARGE');
    });
    const cmd = recordActivity('10001');
    const result = await settle([cmd]);
    expect(result.permanent).toBe('storage refused the write: VALUE_TOO_LARGE (400)');
    expect(result).toMatchObject({ unsettled: [cmd], conflicts: 0 });
    expect(result.error).toBeUndefined();
    expect(commits).toBe(3);
    expect(storedIssue(app(), '10001')?.version).toBe(1);
  });

  it('never calls a 409 permanent, however often nothing explains it', async () => {
    await applied(recordActivity('10001'));
    interceptCommits(async () => {
      throw kvsError(409, 'TRANSACTION_CONFLICT');
    });
    const cmd = recordActivity('10001');
    const result = await settle([cmd]);
    expect(result).toMatchObject({ unsettled: [cmd], conflicts: 0 });
    expect(result.error).toBeUndefined();
    expect(result.permanent).toBeUndefined();
    expect(commits).toBe(3);
  });

  it.each([
    ['a rate limit', kvsError(429, 'RATE_LIMIT_EXCEEDED')],
    ['a server error', kvsError(500, 'INTERNAL_SERVER_ERROR')],
    ['an unavailable store', kvsError(503, 'SERVICE_UNAVAILABLE')],
    ['an answer below 400', kvsError(399, 'ODD')],
    ['a network failure', new Error('socket hang up')],
  ])('hands %s that nothing explains back for a later retry', async (_, error) => {
    await applied(recordActivity('10001'));
    interceptCommits(async () => {
      throw error;
    });
    const cmd = recordActivity('10001');
    const result = await settle([cmd]);
    expect(result.error).toBe(error);
    expect(result).toMatchObject({ unsettled: [cmd], conflicts: 0 });
    expect(result.permanent).toBeUndefined();
    expect(commits).toBe(2);
  });

  it('skips the later transactions of an issue whose earlier one failed, and retries them together', async () => {
    await applied(recordActivity('10001'), recordActivity('10002'));
    // 30 commands for each of two issues: transactions [A1], [B1], then [A2, B2].
    const many = (issueId: string) => Array.from({ length: 30 }, () => recordActivity(issueId));
    interceptCommits(async (n, execute) => {
      if (n === 0) await competingCommit('10001');
      return execute();
    });
    const result = await settle([...many('10001'), ...many('10002')]);
    expect(result).toMatchObject({ unsettled: [], conflicts: 1 });
    // Round one: A1 fails, B1 commits, [A2, B2] is skipped. Round two: A1 (24), then B's last 6
    // (one chunk, packed after A1 would overflow), then A2.
    expect(commits).toBe(5);
    expect(storedIssue(app(), '10001')?.version).toBe(32);
    expect(storedIssue(app(), '10002')?.version).toBe(31);
  });

  describe('coalescing', () => {
    const deposited = async (issueId: string) => {
      const other = recordActivity(issueId);
      expect(await app().runAsApp(() => deposit(config, [other]))).toBe(1);
      return other;
    };

    it("drains a partition's deposits when asked, marking and reporting them apart from its own", async () => {
      const other = await deposited('10001');
      const own = recordActivity('10001');
      const result = await settle([own], { drain: { partitionId: '10001', when: 'always' } });
      expect(result).toMatchObject({ unsettled: [], drained: 1, drainedSettled: 1 });
      expect(result.settled).toEqual(new Set([own.commandId]));
      expect(storedReceipt(app(), other.commandId)).toMatchObject({ status: 'applied', coalesced: true });
      expect(storedReceipt(app(), own.commandId)?.status).toBe('applied');
      expect(storedReceipt(app(), own.commandId)?.coalesced).toBeUndefined();
    });

    it('reports a drained deposit left unsettled as neither settled nor its own', async () => {
      await applied(recordActivity('10001'));
      const other = await deposited('10001');
      interceptCommits(async (_, execute) => {
        await competingCommit('10001');
        return execute();
      });
      const own = recordActivity('10001');
      const result = await settle([own], { drain: { partitionId: '10001', when: 'always' } });
      expect(result).toMatchObject({ unsettled: [own], drained: 1, drainedSettled: 0 });
      expect(result.settled).toEqual(new Set());
      expect(storedReceipt(app(), other.commandId)?.status).toBe('pending');
    });

    it("takes a hot partition's deposits in its first round only: one made during a conflict waits for its own event", async () => {
      await applied(recordActivity('10001'));
      const early = await deposited('10001');
      const late = recordActivity('10001');
      interceptCommits(async (n, execute) => {
        if (n === 0) {
          await competingCommit('10001');
          expect(await deposit(config, [late])).toBe(1);
        }
        return execute();
      });
      const result = await settle([recordActivity('10001')], {
        drain: { partitionId: '10001', when: 'hot' },
      });
      expect(result).toMatchObject({ unsettled: [], conflicts: 1, drained: 1, drainedSettled: 1 });
      expect(storedReceipt(app(), early.commandId)?.status).toBe('applied');
      expect(storedReceipt(app(), late.commandId)?.status).toBe('pending');
    });

    it('drains a hot partition only: committed to within the hot window, and with commands of its own to commit', async () => {
      await applied(recordActivity('10001'));
      const other = await deposited('10001');
      const hot = await settle([recordActivity('10001')], { drain: { partitionId: '10001', when: 'hot' } });
      expect(hot.drained).toBe(1);
      expect(storedReceipt(app(), other.commandId)?.status).toBe('applied');

      await deposited('10001');
      const settledAlready = recordActivity('10001');
      await applied(settledAlready);
      const nothingToDo = await settle([settledAlready], {
        receiptsFirst: true,
        drain: { partitionId: '10001', when: 'hot' },
      });
      expect(nothingToDo.drained).toBe(0);

      // Commit stamps grow by at least 1 ms per commit, so wait the window from the last of them.
      const lastStamp = storedIssue(app(), '10001')!.updatedAt;
      await app().advance(lastStamp - (await app().runAsApp(async () => Date.now())) + HOT_WINDOW_MS);
      const cold = await settle([recordActivity('10001')], { drain: { partitionId: '10001', when: 'hot' } });
      expect(cold.drained).toBe(0);

      await deposited('10003');
      const fresh = await settle([recordActivity('10003')], { drain: { partitionId: '10003', when: 'hot' } });
      expect(fresh.drained).toBe(0);
    });
  });

  describe('onCommit', () => {
    it('is called once per commit that applied something, and its failure is logged, not thrown', async () => {
      const seen: Committed[] = [];
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const onCommit = (commit: Committed) => {
        seen.push(commit);
        throw new Error('publish failed');
      };
      const cmd = recordActivity('10001');
      const result = await settle([cmd], {}, onCommit);
      expect(result.unsettled).toEqual([]);
      expect(seen).toEqual([{ partitionId: '10001', version: 1, applied: [{ command: cmd, version: 1 }] }]);
      expect(warn).toHaveBeenCalledWith('onCommit failed for issue 10001: Error: publish failed');

      // Refused by the reducer (a view older than the issue): committed, but nothing applied.
      const stale = recordActivity('10001', { expectedVersion: 0 });
      await settle([stale], {}, onCommit);
      expect(storedReceipt(app(), stale.commandId)?.status).toBe('rejected');
      expect(seen).toHaveLength(1);
    });
  });
});
