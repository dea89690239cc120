// Settles a batch of commands: load every issue in one read, apply in one pass, commit in as few
// conditional transactions as the limits allow. A conflict is resolved right here (reload with
// the receipts of the commands involved, drop what is already settled, re-apply) a few times,
// with jitter, before the caller asks the queue for a later retry.
import type { CommandEnvelope } from '../shared/command-envelope';
import { loadIssuesAndReceipts } from '../shared/issue-store';
import { isCommitConflict } from '../shared/storage-errors';
import { executeTransaction, packTransactions } from './commit';
import { settlePass } from './settle-pass';

export const INLINE_ATTEMPTS = 3;

export interface SettleResult {
  /** Ids of commands that now have a receipt (settled here or found settled). */
  settled: Set<string>;
  /** Commands still without a receipt. */
  unsettled: CommandEnvelope[];
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

export async function settleCommands(
  commands: CommandEnvelope[],
  options: SettleOptions = {},
): Promise<SettleResult> {
  const settled = new Set<string>(options.alreadySettled);
  const attempts = options.inlineAttempts ?? INLINE_ATTEMPTS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pending = uniqueById(commands).filter((c) => !settled.has(c.commandId));
  let lookUpReceipts = false;
  let conflicts = 0;
  try {
    for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(jitterMs(attempt));
      const byIssue = groupByIssue(pending);
      const { issues, receipts } = await loadIssuesAndReceipts(
        [...byIssue.keys()],
        lookUpReceipts ? pending.map((c) => c.commandId) : [],
      );
      for (const receipt of receipts.values()) {
        if (!(options.replay && receipt.status === 'dead-lettered')) settled.add(receipt.commandId);
      }
      const now = Date.now();
      const chunks = [...byIssue].map(([issueId, cmds]) =>
        settlePass(
          issues.get(issueId)!,
          cmds.filter((c) => !settled.has(c.commandId)),
          now,
        ),
      );
      const conflicted = new Set<string>();
      for (const transaction of packTransactions(chunks)) {
        // A later chunk of an issue whose earlier chunk failed cannot succeed: save the write.
        if (transaction.some((chunk) => conflicted.has(chunk.issueId))) {
          transaction.forEach((chunk) => conflicted.add(chunk.issueId));
          continue;
        }
        try {
          await executeTransaction(transaction, options.replay ?? false);
          for (const chunk of transaction) for (const r of chunk.receipts) settled.add(r.commandId);
        } catch (error) {
          if (!isCommitConflict(error)) throw error;
          conflicts += 1;
          transaction.forEach((chunk) => conflicted.add(chunk.issueId));
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

function uniqueById(commands: CommandEnvelope[]): CommandEnvelope[] {
  const seen = new Map<string, CommandEnvelope>();
  for (const c of commands) if (!seen.has(c.commandId)) seen.set(c.commandId, c);
  return [...seen.values()];
}

function groupByIssue(commands: CommandEnvelope[]): Map<string, CommandEnvelope[]> {
  const groups = new Map<string, CommandEnvelope[]>();
  for (const c of commands) groups.set(c.issueId, [...(groups.get(c.issueId) ?? []), c]);
  return groups;
}

/** 10-50 ms, doubling per attempt, with full jitter so competing writers spread out. */
function jitterMs(attempt: number): number {
  return Math.random() * 50 * 2 ** (attempt - 1) + 10;
}
