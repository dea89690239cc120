// The writer's records in Forge storage, one custom entity each (names from the definition,
// declared in manifest.yml). Each record carries its partition's id under the partition's field
// (e.g. `issueId`), so apps can index and read them in their own terms.
import type { AnyEnvelope, PartitionField } from './envelope';
import type { WriterConfig, WriterLayout } from './definition';

/**
 * One per partition, keyed by its id. `version` counts the commands applied to it; `updatedAt`
 * grows with every commit (applied or refused commands alike), so a commit conditioned on both
 * fails if anyone committed since it read the record.
 */
export interface StateRecord<S> {
  version: number;
  updatedAt: number;
  state: S;
  [partitionField: string]: unknown;
}

export type SettledStatus = 'applied' | 'rejected' | 'dead-lettered';
export type CommandStatus = 'pending' | SettledStatus;

/**
 * One per command, keyed by command id. A `pending` one is a deposit: written by `enqueue` after
 * the push, carrying the command, so that a consumer already working on the partition can apply it
 * before its own event comes round (coalescing). A settled one is written in the same transaction
 * that settles the command, and is the deduplication ledger: no command with a settled receipt is
 * ever applied again.
 */
export interface ReceiptRecord {
  commandId: string;
  status: CommandStatus;
  /** The partition's version after the command was applied, or at which it was refused. */
  version: number;
  /** Why it was refused or dead-lettered; absent when applied (Forge refuses empty strings). */
  reason?: string;
  settledAt: number;
  /** A hash of the command's content, to tell a retry from a different command reusing the id. */
  fingerprint?: string;
  /** The command itself, on a `pending` deposit only. */
  envelope?: AnyEnvelope;
  /** Set when the command was applied by another event's consumer, from its deposit. */
  coalesced?: boolean;
  [partitionField: string]: unknown;
}

/**
 * Receipts outlive Forge's longest redelivery window (96 h) with a margin, so a late duplicate
 * still finds its receipt; after that they expire on their own and cost no storage.
 */
export const RECEIPT_TTL = { value: 8, unit: 'DAYS' } as const;

/**
 * How long a dead letter (and its `dead-lettered` receipt) can be replayed or discarded. A
 * discarded letter is kept for the receipt TTL, for the record.
 */
export const DEAD_LETTER_TTL = { value: 30, unit: 'DAYS' } as const;

export type DeadLetterStatus = 'open' | 'replayed' | 'discarded' | 'malformed';

/** A command the consumer gave up on (or an event it could not read), kept until replayed. */
export interface DeadLetterRecord {
  deadLetterId: string;
  status: DeadLetterStatus;
  reason: string;
  attempts: number;
  createdAt: number;
  /** The command as it was enqueued (`open`/`replayed`/`discarded`), or the raw event (`malformed`). */
  envelope: AnyEnvelope | { raw: string };
  /** The partition field is absent for a malformed event that named no readable partition. */
  [partitionField: string]: unknown;
}

/** Settled: applied, rejected or dead-lettered. A replay may settle a dead-lettered command again. */
export function isSettled(receipt: ReceiptRecord | undefined, replay = false): boolean {
  if (!receipt || receipt.status === 'pending') return false;
  return !(replay && receipt.status === 'dead-lettered');
}

/** A receipt of a writer whose partition is `Name`: its `[Name]Id` is a string. */
export type Receipt<Name extends string> = ReceiptRecord & PartitionField<Name>;
/** A dead letter of a writer whose partition is `Name`. */
export type DeadLetter<Name extends string> = DeadLetterRecord & PartitionField<Name>;

/** Dead letters live under their own key prefix, apart from receipts with the same command id. */
export function deadLetterKey(deadLetterId: string): string {
  return `dl:${deadLetterId}`;
}

/**
 * Whether storage takes `key` as a key: at most 500 characters of `[a-zA-Z0-9:._\s-#]`, not only
 * whitespace (docs/platform.md#storage-kvs-and-custom-entities). Nothing was ever stored under
 * any other, so a caller's id that fails this is answered without a request (which would be a 400).
 */
export function isStorageKey(key: string): boolean {
  return key.length <= 500 && /^(?!\s+$)[a-zA-Z0-9:._\s#-]+$/.test(key);
}

/** The partition id a record or envelope carries. */
export function partitionOf(config: Pick<WriterLayout, 'idField'>, item: object): string {
  const id = (item as Record<string, unknown>)[config.idField];
  return typeof id === 'string' ? id : '';
}

/** A partition's record before any command: version 0, never committed. */
export function emptyStateRecord<S>(config: WriterConfig<S>, id: string): StateRecord<S> {
  return { [config.idField]: id, version: 0, updatedAt: 0, state: config.initialState() };
}
