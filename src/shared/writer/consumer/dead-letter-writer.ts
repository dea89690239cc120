// Writes dead letters. A command's dead letter and its `dead-lettered` receipt go in one
// transaction, conditioned like any receipt, so a command settled meanwhile is never dead-lettered.
import { kvs } from '@forge/kvs';
import type { WriterConfig, WriterLayout } from '../definition';
import type { AnyEnvelope } from '../envelope';
import type { Malformed } from '../event-body';
import { loadStatesAndReceipts } from '../state-store';
import { isCommitConflict } from '../storage-errors';
import { deadLetterKey, partitionOf, type DeadLetterRecord } from '../storage-layout';
import { setReceipt, TRANSACTION_LIMIT } from './commit';

const MAX_RAW_CHARS = 8 * 1024;

export async function deadLetterCommands<S>(
  config: WriterConfig<S>,
  commands: AnyEnvelope[],
  reason: string,
  attempts: number,
): Promise<void> {
  let pending = commands;
  for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
    if (attempt > 0) {
      // Some of them were settled meanwhile: drop those and try the rest again.
      const { receipts } = await loadStatesAndReceipts(
        config,
        [],
        pending.map((c) => c.commandId),
      );
      pending = pending.filter((c) => !receipts.has(c.commandId));
    }
    const perTransaction = Math.floor(TRANSACTION_LIMIT / 2);
    const failed: AnyEnvelope[] = [];
    for (let i = 0; i < pending.length; i += perTransaction) {
      const group = pending.slice(i, i + perTransaction);
      try {
        await writeDeadLetters(config, group, reason, attempts);
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
  config: WriterLayout,
  commands: AnyEnvelope[],
  reason: string,
  attempts: number,
): Promise<void> {
  const now = Date.now();
  const tx = kvs.transact();
  for (const envelope of commands) {
    const partitionId = partitionOf(config, envelope);
    const letter: DeadLetterRecord = {
      deadLetterId: envelope.commandId,
      [config.idField]: partitionId,
      status: 'open',
      reason,
      attempts,
      createdAt: now,
      envelope,
    };
    tx.set(deadLetterKey(envelope.commandId), letter, { entityName: config.entities.deadLetter });
    setReceipt(
      tx,
      config,
      {
        commandId: envelope.commandId,
        [config.idField]: partitionId,
        status: 'dead-lettered',
        version: 0,
        reason,
        settledAt: now,
      },
      false,
    );
  }
  await tx.execute();
}

/** Records what could not be read, keyed by event and position so a redelivery overwrites, not adds. */
export async function recordMalformed(
  config: WriterLayout,
  eventId: string,
  malformed: Malformed[],
): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < malformed.length; i += TRANSACTION_LIMIT) {
    const tx = kvs.transact();
    for (const item of malformed.slice(i, i + TRANSACTION_LIMIT)) {
      const id = `malformed:${eventId}:${item.index}`;
      const letter: DeadLetterRecord = {
        deadLetterId: id,
        [config.idField]: readPartitionId(config, item.raw),
        status: 'malformed',
        reason: item.reason,
        attempts: 1,
        createdAt: now,
        envelope: { raw: safeStringify(item.raw).slice(0, MAX_RAW_CHARS) },
      };
      tx.set(deadLetterKey(id), letter, { entityName: config.entities.deadLetter });
    }
    await tx.execute();
  }
}

function readPartitionId(config: WriterLayout, raw: unknown): string {
  const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[config.idField] : undefined;
  return config.idSchema.safeParse(id).success ? (id as string) : '';
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
