// Writes dead letters. A command's dead letter and its `dead-lettered` receipt go in one
// transaction, conditioned like any receipt, so a command settled meanwhile is never dead-lettered.
import { kvs } from '@forge/kvs';
import type { CommandEnvelope } from '../shared/command-envelope';
import { loadIssuesAndReceipts } from '../shared/issue-store';
import { isCommitConflict } from '../shared/storage-errors';
import {
  deadLetterKey,
  ENTITY,
  RECEIPT_TTL,
  type DeadLetterRecord,
  type ReceiptRecord,
} from '../shared/storage-layout';
import type { Malformed } from './command-event';
import { receiptCondition } from './commit';
import { TRANSACTION_LIMIT } from './settle-pass';

const MAX_RAW_CHARS = 8 * 1024;

export async function deadLetterCommands(
  commands: CommandEnvelope[],
  reason: string,
  attempts: number,
): Promise<void> {
  let pending = commands;
  for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
    if (attempt > 0) {
      // Some of them were settled meanwhile: drop those and try the rest again.
      const { receipts } = await loadIssuesAndReceipts(
        [],
        pending.map((c) => c.commandId),
      );
      pending = pending.filter((c) => !receipts.has(c.commandId));
    }
    const perTransaction = Math.floor(TRANSACTION_LIMIT / 2);
    const failed: CommandEnvelope[] = [];
    for (let i = 0; i < pending.length; i += perTransaction) {
      const group = pending.slice(i, i + perTransaction);
      try {
        await writeDeadLetters(group, reason, attempts);
      } catch (error) {
        if (!isCommitConflict(error)) throw error;
        failed.push(...group);
      }
    }
    pending = failed;
  }
  if (pending.length > 0) throw new Error(`could not dead-letter ${pending.length} command(s)`);
}

async function writeDeadLetters(
  commands: CommandEnvelope[],
  reason: string,
  attempts: number,
): Promise<void> {
  const now = Date.now();
  const tx = kvs.transact();
  for (const envelope of commands) {
    const letter: DeadLetterRecord = {
      deadLetterId: envelope.commandId,
      issueId: envelope.issueId,
      status: 'open',
      reason,
      attempts,
      createdAt: now,
      envelope,
    };
    const receipt: ReceiptRecord = {
      commandId: envelope.commandId,
      issueId: envelope.issueId,
      status: 'dead-lettered',
      version: 0,
      reason,
      settledAt: now,
    };
    tx.set(deadLetterKey(envelope.commandId), letter, { entityName: ENTITY.deadLetter });
    tx.set(
      envelope.commandId,
      receipt,
      { entityName: ENTITY.receipt, conditions: receiptCondition(false) },
      { ttl: RECEIPT_TTL },
    );
  }
  await tx.execute();
}

/** Records what could not be read, keyed by event and position so a redelivery overwrites, not adds. */
export async function recordMalformed(eventId: string, malformed: Malformed[]): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < malformed.length; i += TRANSACTION_LIMIT) {
    const tx = kvs.transact();
    for (const item of malformed.slice(i, i + TRANSACTION_LIMIT)) {
      const id = `malformed:${eventId}:${item.index}`;
      const letter: DeadLetterRecord = {
        deadLetterId: id,
        issueId: readIssueId(item.raw),
        status: 'malformed',
        reason: item.reason,
        attempts: 1,
        createdAt: now,
        envelope: { raw: safeStringify(item.raw).slice(0, MAX_RAW_CHARS) },
      };
      tx.set(deadLetterKey(id), letter, { entityName: ENTITY.deadLetter });
    }
    await tx.execute();
  }
}

function readIssueId(raw: unknown): string {
  const id = (raw as { issueId?: unknown } | null)?.issueId;
  return typeof id === 'string' && /^[0-9]{1,18}$/.test(id) ? id : '';
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
