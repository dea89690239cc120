// Turns commit chunks into conditional transactions and runs them. Each chunk's state write is
// conditioned on the version it was computed from, and each receipt on not existing yet: the one
// transaction both serializes writers and deduplicates commands.
import { Filter, FilterConditions, kvs } from '@forge/kvs';
import type { WriterConfig, WriterLayout } from '../definition';
import { RECEIPT_TTL, type ReceiptRecord, type StateRecord } from '../storage-layout';

/** Forge: at most 25 operations per transaction. */
export const TRANSACTION_LIMIT = 25;

export interface CommitChunk<S = unknown> {
  partitionId: string;
  /** The version the stored record must still have (0: no record yet). */
  expectedVersion: number;
  /** The record to write, or undefined when every command in the chunk was refused (check only). */
  record?: StateRecord<S>;
  receipts: ReceiptRecord[];
}

export type Transaction<S = unknown> = CommitChunk<S>[];

const operations = (chunk: CommitChunk) => 1 + chunk.receipts.length;

/**
 * Packs chunks into as few transactions as the operation limit allows. A partition's second chunk
 * builds on its first, so chunks go in rounds: every partition's first chunk, then every second one.
 */
export function packTransactions<S>(chunksByPartition: CommitChunk<S>[][]): Transaction<S>[] {
  const transactions: Transaction<S>[] = [];
  const rounds = Math.max(0, ...chunksByPartition.map((chunks) => chunks.length));
  for (let round = 0; round < rounds; round++) {
    let current: Transaction<S> = [];
    let used = 0;
    for (const chunks of chunksByPartition) {
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
  const filter = new Filter<StateRecord<unknown>>();
  return expectedVersion === 0
    ? filter.and('version', FilterConditions.notExists())
    : filter.and('version', FilterConditions.equalTo(expectedVersion));
}

/**
 * Adds a receipt write that succeeds only if the command has none yet; a replay of dead letters
 * may also overwrite a `dead-lettered` one. Dead-lettered is final until someone replays it.
 */
export function setReceipt(
  tx: ReturnType<typeof kvs.transact>,
  config: WriterLayout,
  receipt: ReceiptRecord,
  replay: boolean,
): void {
  const notSettled = new Filter<ReceiptRecord>().or('commandId', FilterConditions.notExists());
  const conditions = replay ? notSettled.or('status', FilterConditions.equalTo('dead-lettered')) : notSettled;
  tx.set(
    receipt.commandId,
    receipt,
    { entityName: config.entities.receipt, conditions },
    { ttl: RECEIPT_TTL },
  );
}

export async function executeTransaction<S>(
  config: WriterConfig<S>,
  transaction: Transaction<S>,
  replay: boolean,
): Promise<void> {
  const tx = kvs.transact();
  for (const chunk of transaction) {
    const conditions = versionCondition(chunk.expectedVersion);
    const entityName = config.entities.state;
    if (chunk.record) {
      const ttl = config.expireState(chunk.record.state);
      tx.set(chunk.partitionId, chunk.record, { entityName, conditions }, ttl ? { ttl } : undefined);
    } else tx.check(chunk.partitionId, { entityName, conditions });
    for (const receipt of chunk.receipts) setReceipt(tx, config, receipt, replay);
  }
  await tx.execute();
}
