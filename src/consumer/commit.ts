// Turns commit chunks into conditional transactions and runs them. Each chunk's state write is
// conditioned on the version it was computed from, and each receipt on not existing yet: the one
// transaction both serializes writers and deduplicates commands.
import { Filter, FilterConditions, kvs } from '@forge/kvs';
import {
  DELETED_ISSUE_TTL,
  ENTITY,
  RECEIPT_TTL,
  type IssueRecord,
  type ReceiptRecord,
} from '../shared/storage-layout';
import { TRANSACTION_LIMIT, type CommitChunk } from './settle-pass';

export type Transaction = CommitChunk[];

const operations = (chunk: CommitChunk) => 1 + chunk.receipts.length;

/**
 * Packs chunks into as few transactions as the operation limit allows. An issue's second chunk
 * builds on its first, so chunks go in rounds: every issue's first chunk, then every second one.
 */
export function packTransactions(chunksByIssue: CommitChunk[][]): Transaction[] {
  const transactions: Transaction[] = [];
  const rounds = Math.max(0, ...chunksByIssue.map((chunks) => chunks.length));
  for (let round = 0; round < rounds; round++) {
    let current: Transaction = [];
    let used = 0;
    for (const chunks of chunksByIssue) {
      const chunk = chunks[round];
      if (!chunk) continue;
      if (used + operations(chunk) > TRANSACTION_LIMIT && current.length > 0) {
        transactions.push(current);
        current = [];
        used = 0;
      }
      current.push(chunk);
      used += operations(chunk);
    }
    if (current.length > 0) transactions.push(current);
  }
  return transactions;
}

export function versionCondition(expectedVersion: number) {
  const filter = new Filter<IssueRecord>();
  return expectedVersion === 0
    ? filter.and('version', FilterConditions.notExists())
    : filter.and('version', FilterConditions.equalTo(expectedVersion));
}

/**
 * A receipt may be written only if the command has none yet; a replay of dead letters may also
 * overwrite a `dead-lettered` one. Dead-lettered is final until someone replays it.
 */
export function receiptCondition(replay: boolean) {
  const notSettled = new Filter<ReceiptRecord>().or('commandId', FilterConditions.notExists());
  return replay ? notSettled.or('status', FilterConditions.equalTo('dead-lettered')) : notSettled;
}

export async function executeTransaction(transaction: Transaction, replay: boolean): Promise<void> {
  const tx = kvs.transact();
  for (const chunk of transaction) {
    const conditions = versionCondition(chunk.expectedVersion);
    if (chunk.record) {
      // A deleted issue's tombstone frees its storage once no late command can still arrive.
      const deleted = chunk.record.state.deletedAt !== undefined;
      tx.set(
        chunk.issueId,
        chunk.record,
        { entityName: ENTITY.issueState, conditions },
        deleted ? { ttl: DELETED_ISSUE_TTL } : undefined,
      );
    } else tx.check(chunk.issueId, { entityName: ENTITY.issueState, conditions });
    for (const receipt of chunk.receipts) {
      tx.set(
        receipt.commandId,
        receipt,
        { entityName: ENTITY.receipt, conditions: receiptCondition(replay) },
        { ttl: RECEIPT_TTL },
      );
    }
  }
  await tx.execute();
}
