// Turns commit chunks into conditional transactions and runs them. Every chunk rewrites its
// partition's record conditioned on the record being exactly as it was read (version and commit
// stamp), so any other commit on that partition in between makes this one fail: that condition
// serializes writers. Receipts are written either on the condition that they do not exist yet
// (deduplication with no read up front), or, once receipts were read, without one: they are only
// ever written beside their partition's conditioned record. See settle-commands.ts for when.
import { Filter, FilterConditions, kvs } from '@forge/kvs';
import type { WriterConfig, WriterLayout } from '../definition';
import {
  DEAD_LETTER_TTL,
  emptyStateRecord,
  RECEIPT_TTL,
  type ReceiptRecord,
  type StateRecord,
} from '../storage-layout';

/** Forge: at most 25 operations per transaction. */
export const TRANSACTION_LIMIT = 25;

/** The stored record a commit builds on: its version and commit stamp, or none stored yet. */
export type Expected = { version: number; updatedAt: number } | 'absent';

export interface CommitChunk<S = unknown> {
  partitionId: string;
  expected: Expected;
  /** The record to write: the new state, or the same state with a new commit stamp. */
  record: StateRecord<S>;
  receipts: ReceiptRecord[];
}

export type Transaction<S = unknown> = CommitChunk<S>[];

const operations = (chunk: CommitChunk) => 1 + chunk.receipts.length;

/**
 * Packs chunks into as few transactions as the operation limit allows. A partition's second chunk
 * builds on its first, so chunks go in rounds: every partition's first chunk, then every second one.
 * A chunk is at most the limit (settle-pass.ts), so only a transaction holding one can be full, and
 * every round has a chunk (rounds count to the longest partition's).
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
      if (used + operations(chunk) > TRANSACTION_LIMIT) {
        transactions.push(current);
        current = [];
        used = 0;
      }
      current.push(chunk);
      used += operations(chunk);
    }
    transactions.push(current);
  }
  return transactions;
}

/**
 * The version check a caller of its own (a caller-side compare-and-set) writes: the record is
 * still at `version`, or absent at 0. The writer itself conditions on `unchangedSince`.
 */
export function versionCondition(expectedVersion: number) {
  const filter = new Filter<StateRecord<unknown>>();
  return expectedVersion === 0
    ? filter.and('version', FilterConditions.notExists())
    : filter.and('version', FilterConditions.equalTo(expectedVersion));
}

/** The stored record is still the one read: same version, same commit stamp. */
export function unchangedSince(expected: Expected) {
  const filter = new Filter<StateRecord<unknown>>();
  if (expected === 'absent') return filter.and('version', FilterConditions.notExists());
  return filter
    .and('version', FilterConditions.equalTo(expected.version))
    .and('updatedAt', FilterConditions.equalTo(expected.updatedAt));
}

/**
 * How a receipt is written: `new-only` on the condition that the command has no settled receipt
 * yet (none, or its `pending` deposit; a replay of dead letters may also replace a `dead-lettered`
 * one); `unconditioned` when the receipts were read before the pass and the partition's record
 * condition guards the write.
 */
export type ReceiptWrite = 'new-only' | 'unconditioned';

/** A receipt write: dead-lettered ones live as long as their dead letter can be replayed. */
export function setReceipt(
  tx: ReturnType<typeof kvs.transact>,
  config: WriterLayout,
  receipt: ReceiptRecord,
  write: { receipts: ReceiptWrite; replay: boolean },
): void {
  const ttl = receipt.status === 'dead-lettered' ? DEAD_LETTER_TTL : RECEIPT_TTL;
  let conditions;
  if (write.receipts === 'new-only') {
    conditions = new Filter<ReceiptRecord>()
      .or('commandId', FilterConditions.notExists())
      .or('status', FilterConditions.equalTo('pending'));
    if (write.replay) conditions = conditions.or('status', FilterConditions.equalTo('dead-lettered'));
  }
  tx.set(
    receipt.commandId,
    receipt,
    { entityName: config.entities.receipt, ...(conditions ? { conditions } : {}) },
    { ttl },
  );
}

export async function executeTransaction<S>(
  config: WriterConfig<S>,
  transaction: Transaction<S>,
  write: { receipts: ReceiptWrite; replay: boolean },
): Promise<void> {
  const tx = kvs.transact();
  for (const chunk of transaction) {
    const ttl = config.expireState(chunk.record.state);
    tx.set(
      chunk.partitionId,
      chunk.record,
      { entityName: config.entities.state, conditions: unchangedSince(chunk.expected) },
      ttl ? { ttl } : undefined,
    );
    for (const receipt of chunk.receipts) setReceipt(tx, config, receipt, write);
  }
  await tx.execute();
}

/**
 * Creates the empty record of partitions that have none, each with a FAIL_IF_EXISTS write (a
 * documented key policy), so later commits condition on a key that exists. Whether a write failed
 * because someone else created it first is decided by reading back, not from the error's code.
 */
export async function createStateRecords<S>(config: WriterConfig<S>, ids: Iterable<string>): Promise<void> {
  for (const id of ids) {
    try {
      await kvs
        .entity<StateRecord<S>>(config.entities.state)
        .set(id, emptyStateRecord(config, id), { keyPolicy: 'FAIL_IF_EXISTS' });
    } catch (error) {
      const stored = await kvs.entity<StateRecord<S>>(config.entities.state).get(id);
      if (!stored) throw error;
    }
  }
}
