// Settles a batch of commands: load every partition in one read, apply in one pass, commit in as
// few conditional transactions as the limits allow. A conflict is resolved right here (reload with
// the receipts of the commands involved, drop what is already settled, re-apply) a few times,
// with jitter, before the caller asks the queue for a later retry.
import { BACKOFF, backoffMs, sleep as realSleep } from '../backoff';
import type { WriterConfig, WriterLayout } from '../definition';
import type { AnyEnvelope } from '../envelope';
import { loadStatesAndReceipts } from '../state-store';
import { isCommitConflict } from '../storage-errors';
import { partitionOf } from '../storage-layout';
import { executeTransaction, packTransactions } from './commit';
import { settlePass } from './settle-pass';

export const INLINE_ATTEMPTS = 3;

export interface SettleResult {
  /** Ids of commands that now have a receipt (settled here or found settled). */
  settled: Set<string>;
  /** Commands still without a receipt. */
  unsettled: AnyEnvelope[];
  conflicts: number;
  /** A storage failure that stopped the work (not a conflict). */
  error?: unknown;
}

export interface SettleOptions {
  /** Ids known settled by an earlier attempt (from `retryData`). */
  alreadySettled?: Iterable<string>;
  /** A replay of dead letters: dead-lettered commands may be applied. */
  replay?: boolean;
  inlineAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function settleCommands<S>(
  config: WriterConfig<S>,
  commands: readonly AnyEnvelope[],
  options: SettleOptions = {},
): Promise<SettleResult> {
  const settled = new Set<string>(options.alreadySettled);
  const attempts = options.inlineAttempts ?? INLINE_ATTEMPTS;
  const sleep = options.sleep ?? realSleep;
  let pending = uniqueById(commands).filter((c) => !settled.has(c.commandId));
  let lookUpReceipts = false;
  let conflicts = 0;
  try {
    for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(BACKOFF.conflict, attempt - 1));
      const byPartition = groupByPartition(config, pending);
      const { states, receipts } = await loadStatesAndReceipts(
        config,
        [...byPartition.keys()],
        lookUpReceipts ? pending.map((c) => c.commandId) : [],
      );
      for (const receipt of receipts.values()) {
        if (!(options.replay && receipt.status === 'dead-lettered')) settled.add(receipt.commandId);
      }
      const now = Date.now();
      const chunks = [...byPartition].map(([id, cmds]) =>
        settlePass(
          config,
          id,
          states.get(id)!,
          cmds.filter((c) => !settled.has(c.commandId)),
          now,
        ),
      );
      const conflicted = new Set<string>();
      for (const transaction of packTransactions(chunks)) {
        // A later chunk of a partition whose earlier chunk failed cannot succeed: save the write.
        if (transaction.some((chunk) => conflicted.has(chunk.partitionId))) {
          transaction.forEach((chunk) => conflicted.add(chunk.partitionId));
          continue;
        }
        try {
          await executeTransaction(config, transaction, options.replay ?? false);
          for (const chunk of transaction) for (const r of chunk.receipts) settled.add(r.commandId);
        } catch (error) {
          if (!isCommitConflict(error)) throw error;
          conflicts += 1;
          transaction.forEach((chunk) => conflicted.add(chunk.partitionId));
        }
      }
      pending = pending.filter((c) => !settled.has(c.commandId));
      lookUpReceipts = true;
    }
    return { settled, unsettled: pending, conflicts };
  } catch (error) {
    return { settled, unsettled: pending.filter((c) => !settled.has(c.commandId)), conflicts, error };
  }
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
