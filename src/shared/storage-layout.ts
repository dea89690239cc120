// The writer's records in Forge storage, declared as custom entities in manifest.yml.
import type { CommandEnvelope } from './command-envelope';
import type { IssueState } from './issue-state';

export const ENTITY = {
  issueState: 'issue-state',
  receipt: 'command-receipt',
  deadLetter: 'dead-letter',
} as const;

/** One per Jira issue, keyed by issue id. `version` counts the commands applied to it. */
export interface IssueRecord {
  issueId: string;
  version: number;
  updatedAt: number;
  state: IssueState;
}

export type SettledStatus = 'applied' | 'rejected' | 'dead-lettered';
export type CommandStatus = 'pending' | SettledStatus;

/**
 * One per settled command, keyed by command id, written in the same transaction that settles it.
 * Its existence is the deduplication ledger: a commit only succeeds if none of its commands has one.
 */
export interface ReceiptRecord {
  commandId: string;
  issueId: string;
  status: SettledStatus;
  /** The issue's version after the command was applied, or at which it was refused. */
  version: number;
  reason: string;
  settledAt: number;
}

/**
 * Receipts outlive Forge's longest redelivery window (96 h) with a margin, so a late duplicate
 * still finds its receipt; after that they expire on their own and cost no storage.
 */
export const RECEIPT_TTL = { value: 8, unit: 'DAYS' } as const;

/**
 * A deleted issue's tombstone lives as long as receipts do: past Forge's redelivery window, so a
 * command delivered late still meets it and is refused; then the record expires on its own.
 */
export const DELETED_ISSUE_TTL = RECEIPT_TTL;

export type DeadLetterStatus = 'open' | 'replayed' | 'malformed';

/** A command the consumer gave up on (or an event it could not read), kept until replayed. */
export interface DeadLetterRecord {
  deadLetterId: string;
  /** Empty for a malformed event that named no readable issue. */
  issueId: string;
  status: DeadLetterStatus;
  reason: string;
  attempts: number;
  createdAt: number;
  /** The command as it was enqueued (for `open`/`replayed`), or the raw event body (for `malformed`). */
  envelope: CommandEnvelope | { raw: string };
}

/** Dead letters live under their own key prefix, apart from receipts with the same command id. */
export function deadLetterKey(deadLetterId: string): string {
  return `dl:${deadLetterId}`;
}
