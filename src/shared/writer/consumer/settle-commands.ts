// Settles a batch of commands: load every partition in one read, apply in one pass, commit in as
// few conditional transactions as the limits allow. Each commit is conditioned on its partition's
// record being unchanged since the read (serializing writers) and each receipt on not existing yet
// (deduplicating commands without reading receipts first).
//
// When a commit fails, the next read (now with the receipts) decides what happened, from the data
// rather than the error's code, which Forge does not document (docs/platform.md): if the partition
// moved or the receipts appeared, it was a conflict (or a write that went through before a
// time-out), retried right here a few times with jitter. If nothing moved, the platform may fail
// every condition on a key that does not exist (also undocumented): the commit is retried with
// the receipts already read and written without conditions, and a missing record created first,
// so nothing depends on such a condition passing. If that fails too, the error is transient
// (retry later) or permanent (fail now, with its reason).
import { ForgeKvsAPIError } from '@forge/kvs';
import { BACKOFF, backoffMs, sleep as realSleep } from '../backoff';
import { DRAIN_BATCH, HOT_WINDOW_MS, loadDeposits } from '../coalescing';
import type { Committed, WriterConfig, WriterLayout } from '../definition';
import type { AnyEnvelope } from '../envelope';
import { fingerprintOf } from '../fingerprint';
import { loadStatesAndReceipts, type Loaded } from '../state-store';
import { describeStorageError } from '../storage-errors';
import { isSettled, partitionOf } from '../storage-layout';
import {
  createStateRecords,
  executeTransaction,
  packTransactions,
  type CommitChunk,
  type Expected,
  type Transaction,
} from './commit';
import { settlePass } from './settle-pass';

export const INLINE_ATTEMPTS = 3;

export interface SettleResult {
  /** Ids of commands that now have a receipt (settled here or found settled). */
  settled: Set<string>;
  /** Commands still without a receipt. */
  unsettled: AnyEnvelope[];
  conflicts: number;
  /** A transient storage failure that stopped the work: retry later. */
  error?: unknown;
  /** A failure that retrying cannot fix (a 4xx that is not a conflict): the unsettled commands fail now. */
  permanent?: string;
  /** Commands whose id was already settled for a different command: never applied, to be reported. */
  reusedIds: AnyEnvelope[];
  /** Other events' commands taken from the partition's deposits (coalescing), settled or not. */
  drained: number;
  /** How many of them this run settled. */
  drainedSettled: number;
}

/**
 * Take the partition's deposits into the pass (coalescing.ts): `hot` when it was committed to
 * recently and this event's own commands still need a commit; `always` when the consumer is
 * already draining it.
 */
export interface DrainRequest {
  partitionId: string;
  when: 'hot' | 'always';
}

export interface SettleOptions {
  /** Ids known settled by an earlier attempt (from `retryData`). */
  alreadySettled?: Iterable<string>;
  /** A replay of dead letters: dead-lettered commands may be applied. */
  replay?: boolean;
  /**
   * Read the receipts with the states from the start (a redelivery, where some commands are likely
   * settled already): they are skipped at once instead of failing a commit first.
   */
  receiptsFirst?: boolean;
  drain?: DrainRequest;
  inlineAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface FailedCommit {
  expected: Map<string, Expected>;
  commandIds: string[];
  error: unknown;
}

/** Failed, and nothing stored explains why: what is known of the error decides. */
type Unexplained = 'retry-now' | 'retry-later' | 'permanent';

export async function settleCommands<S>(
  config: WriterConfig<S>,
  commands: readonly AnyEnvelope[],
  options: SettleOptions = {},
): Promise<SettleResult> {
  const settled = new Set<string>(options.alreadySettled);
  const reusedIds: AnyEnvelope[] = [];
  const attempts = options.inlineAttempts ?? INLINE_ATTEMPTS;
  const sleep = options.sleep ?? realSleep;
  let pending = uniqueById(commands).filter((c) => !settled.has(c.commandId));
  let conflicts = 0;
  let failures: FailedCommit[] = [];
  let unexplainedBefore = false;
  /** Receipts read with the states and written without conditions, records created first. */
  let readFirst = false;
  let lookUpReceipts = options.receiptsFirst ?? false;
  const drained = new Set<string>();
  // What is reported is about the event's own commands: a deposit left unsettled stays pending,
  // for its own event.
  const result = (extra: Partial<SettleResult> = {}): SettleResult => ({
    settled: new Set([...settled].filter((id) => !drained.has(id))),
    unsettled: pending.filter((c) => !settled.has(c.commandId) && !drained.has(c.commandId)),
    conflicts,
    reusedIds,
    drained: drained.size,
    drainedSettled: [...drained].filter((id) => settled.has(id)).length,
    ...extra,
  });
  const takeDeposits = async (partitionId: string) => {
    const known = new Set([...settled, ...pending.map((c) => c.commandId)]);
    for (const deposit of await loadDeposits(config, partitionId, DRAIN_BATCH)) {
      if (known.has(deposit.commandId) || partitionOf(config, deposit) !== partitionId) continue;
      drained.add(deposit.commandId);
      pending.push(deposit);
    }
  };
  const committed: Committed[] = [];
  try {
    if (options.drain?.when === 'always') await takeDeposits(options.drain.partitionId);
    for (let attempt = 0; pending.length > 0; attempt++) {
      // Only a round after the first can follow failures.
      if (failures.length > 0) await sleep(backoffMs(BACKOFF.conflict, attempt - 1));
      const byPartition = groupByPartition(config, pending);
      const loaded = await loadStatesAndReceipts(
        config,
        [...byPartition.keys()],
        lookUpReceipts ? pending.map((c) => c.commandId) : [],
      );
      for (const cmd of pending) {
        const receipt = loaded.receipts.get(cmd.commandId);
        if (!receipt || !isSettled(receipt, options.replay)) continue;
        settled.add(cmd.commandId);
        if (receipt.fingerprint !== undefined && receipt.fingerprint !== fingerprintOf(config, cmd))
          reusedIds.push(cmd);
      }
      pending = pending.filter((c) => !settled.has(c.commandId));
      const drain = options.drain;
      if (attempt === 0 && drain?.when === 'hot' && pending.length > 0) {
        const state = loaded.states.get(drain.partitionId);
        const hot = !loaded.missing.has(drain.partitionId) && Date.now() - state!.updatedAt < HOT_WINDOW_MS;
        if (hot) {
          await takeDeposits(drain.partitionId);
          byPartition.set(drain.partitionId, pending);
        }
      }

      // What the failed commits of the last round were: decided from what is stored now.
      let unexplained = false;
      for (const failure of failures) {
        if (moved(failure, loaded, settled)) {
          conflicts += 1;
          continue;
        }
        if (!readFirst) {
          readFirst = true; // a condition on a missing key may have failed: stop relying on one
          continue;
        }
        const verdict = unexplainedFailure(failure.error, unexplainedBefore);
        if (verdict === 'retry-later') return result({ error: failure.error });
        if (verdict === 'permanent')
          return result({ permanent: `storage refused the write: ${describeStorageError(failure.error)}` });
        unexplained = true;
      }
      unexplainedBefore = unexplained;
      failures = [];
      if (pending.length === 0 || attempt >= attempts) break;

      if (readFirst && loaded.missing.size > 0) {
        await createStateRecords(config, loaded.missing);
        continue; // read the created records back, then commit on them
      }
      const now = Date.now();
      const chunks = [...byPartition].map(([id, cmds]) =>
        settlePass(
          config,
          id,
          loaded.states.get(id)!,
          !loaded.missing.has(id),
          cmds.filter((c) => !settled.has(c.commandId)),
          now,
        ),
      );
      for (const chunk of chunks.flat())
        for (const receipt of chunk.receipts) if (drained.has(receipt.commandId)) receipt.coalesced = true;
      const failed = new Set<string>();
      for (const transaction of packTransactions(chunks)) {
        // A later chunk of a partition whose earlier chunk failed cannot succeed: save the write.
        // Only last chunks share a transaction (every other fills one), so what a skipped
        // transaction holds has no later chunk to skip in turn.
        if (transaction.some((chunk) => failed.has(chunk.partitionId))) continue;
        try {
          await executeTransaction(config, transaction, {
            receipts: readFirst ? 'unconditioned' : 'new-only',
            replay: options.replay ?? false,
          });
          for (const chunk of transaction) for (const r of chunk.receipts) settled.add(r.commandId);
          committed.push(...transaction.map((chunk) => committedOf(chunk, pending)));
        } catch (error) {
          transaction.forEach((chunk) => failed.add(chunk.partitionId));
          failures.push(failedCommit(transaction, error));
        }
      }
      pending = pending.filter((c) => !settled.has(c.commandId));
      lookUpReceipts = true;
    }
    return result();
  } catch (error) {
    return result({ error });
  } finally {
    await announce(config, committed);
  }
}

function committedOf(chunk: CommitChunk<unknown>, commands: readonly AnyEnvelope[]): Committed {
  const byId = new Map(commands.map((c) => [c.commandId, c]));
  return {
    partitionId: chunk.partitionId,
    version: chunk.record.version,
    applied: chunk.receipts
      .filter((r) => r.status === 'applied' && byId.has(r.commandId))
      .map((r) => ({ command: byId.get(r.commandId)!, version: r.version })),
  };
}

/** The definition's `onCommit`, once per committed chunk that applied something; never throws. */
async function announce<S>(config: WriterConfig<S>, committed: readonly Committed[]): Promise<void> {
  for (const commit of committed) {
    if (commit.applied.length === 0) continue;
    try {
      await config.onCommit(commit);
    } catch (error) {
      console.warn(`onCommit failed for ${config.partitionName} ${commit.partitionId}: ${String(error)}`);
    }
  }
}

function failedCommit<S>(transaction: Transaction<S>, error: unknown): FailedCommit {
  // A transaction holds one chunk per partition (one round of packTransactions).
  const expected = new Map<string, Expected>();
  for (const chunk of transaction) expected.set(chunk.partitionId, chunk.expected);
  return { expected, commandIds: transaction.flatMap((c) => c.receipts.map((r) => r.commandId)), error };
}

/** Someone committed on one of the partitions since, or the commit itself went through. */
function moved(failure: FailedCommit, loaded: Loaded<unknown>, settled: Set<string>): boolean {
  if (failure.commandIds.some((id) => settled.has(id))) return true;
  for (const [id, expected] of failure.expected) {
    const stored = loaded.states.get(id);
    const present = !loaded.missing.has(id);
    if (
      expected === 'absent'
        ? present
        : !present || stored!.version !== expected.version || stored!.updatedAt !== expected.updatedAt
    )
      return true;
  }
  return false;
}

/**
 * A failed commit that nothing stored explains. A 409 may be two transactions cancelling each
 * other, and a 4xx seen once may be a condition failure under another name: both are retried at
 * once. A 4xx seen twice in a row is permanent (a value too large, say). Rate limits, server
 * errors and time-outs are retried later, with backoff.
 */
function unexplainedFailure(error: unknown, seenBefore: boolean): Unexplained {
  const status = error instanceof ForgeKvsAPIError ? error.responseDetails.status : undefined;
  if (status === undefined || status === 429 || status >= 500 || status < 400) return 'retry-later';
  if (status === 409 || !seenBefore) return 'retry-now';
  return 'permanent';
}

function uniqueById(commands: readonly AnyEnvelope[]): AnyEnvelope[] {
  const seen = new Map<string, AnyEnvelope>();
  for (const c of commands) if (!seen.has(c.commandId)) seen.set(c.commandId, c);
  return [...seen.values()];
}

function groupByPartition(
  config: WriterLayout,
  commands: readonly AnyEnvelope[],
): Map<string, AnyEnvelope[]> {
  const groups = new Map<string, AnyEnvelope[]>();
  for (const c of commands) {
    const id = partitionOf(config, c);
    groups.set(id, [...(groups.get(id) ?? []), c]);
  }
  return groups;
}
