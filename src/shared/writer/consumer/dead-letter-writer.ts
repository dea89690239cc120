// Writes dead letters. A command's dead letter and its `dead-lettered` receipt go in one
// transaction that cannot overwrite the receipt of a command settled meanwhile (applied or
// refused): first with the receipt conditioned on not existing yet (one write, no read); if that
// fails, after reading the receipts, with a check that the partition's record is unchanged since
// (no condition on a key that may not exist; see settle-commands.ts). A replayed command that fails
// again becomes an open dead letter again: replayable until applied or discarded.
import { kvs } from '@forge/kvs';
import type { WriterConfig, WriterLayout } from '../definition';
import type { AnyEnvelope } from '../envelope';
import type { Malformed } from '../event-body';
import { fingerprintOf } from '../fingerprint';
import { loadStatesAndReceipts } from '../state-store';
import {
  DEAD_LETTER_TTL,
  deadLetterKey,
  isSettled,
  partitionOf,
  type DeadLetterRecord,
} from '../storage-layout';
import {
  createStateRecords,
  setReceipt,
  TRANSACTION_LIMIT,
  unchangedSince,
  type ReceiptWrite,
} from './commit';

const MAX_RAW_CHARS = 8 * 1024;
const ROUNDS = 3;
/** A check of the partition, then a letter and a receipt per command. */
const COMMANDS_PER_TRANSACTION = Math.floor((TRANSACTION_LIMIT - 1) / 2);

type Tx = ReturnType<typeof kvs.transact>;

export async function deadLetterCommands<S>(
  config: WriterConfig<S>,
  commands: AnyEnvelope[],
  reason: string,
  attempts: number,
  options: { replay?: boolean } = {},
): Promise<void> {
  const replay = options.replay === true;
  // Each delivery starts with another group: in a crash loop, where an invocation may die after
  // its first storage call, every group still gets its turn at being that call.
  let pending = await writeEach(rotate(commands, attempts), async (part) => {
    const tx = kvs.transact();
    for (const envelope of part)
      addDeadLetter(tx, config, envelope, reason, attempts, { receipts: 'new-only', replay });
    await tx.execute();
  });
  for (let round = 0; round < ROUNDS && pending.length > 0; round++) {
    const partitions = [...new Set(pending.map((c) => partitionOf(config, c)))];
    const loaded = await loadStatesAndReceipts(
      config,
      partitions,
      pending.map((c) => c.commandId),
    );
    // Settled meanwhile: leave it. A replay's own dead-lettered receipt is not settled.
    pending = pending.filter((c) => {
      const receipt = loaded.receipts.get(c.commandId);
      return !isSettled(receipt, replay);
    });
    // Only the partitions something is still to be written for: settled commands need nothing.
    const left = new Set(pending.map((c) => partitionOf(config, c)));
    const missing = new Set([...loaded.missing].filter((id) => left.has(id)));
    if (missing.size > 0) await createStateRecords(config, missing);
    const failed: AnyEnvelope[] = [];
    for (const partitionId of left) {
      const stored = loaded.states.get(partitionId)!;
      const group = pending.filter((c) => partitionOf(config, c) === partitionId);
      failed.push(
        ...(await writeEach(group, async (part) => {
          const tx = kvs.transact();
          tx.check(partitionId, {
            entityName: config.entities.state,
            conditions: unchangedSince({ version: stored.version, updatedAt: stored.updatedAt }),
          });
          for (const envelope of part)
            addDeadLetter(tx, config, envelope, reason, attempts, { receipts: 'unconditioned', replay });
          await tx.execute();
        })),
      );
    }
    pending = failed;
  }
  if (pending.length > 0) throw new Error(`could not dead-letter ${pending.length} command(s)`);
}

/** The commands, starting at the group of transaction-sized groups that `turn` falls on. */
function rotate(commands: AnyEnvelope[], turn: number): AnyEnvelope[] {
  const groups = Math.ceil(commands.length / COMMANDS_PER_TRANSACTION);
  if (groups <= 1) return commands;
  const start = (turn % groups) * COMMANDS_PER_TRANSACTION;
  return [...commands.slice(start), ...commands.slice(0, start)];
}

/** Runs `write` on groups that fit a transaction; returns the commands of the groups that failed. */
async function writeEach(
  commands: AnyEnvelope[],
  write: (part: AnyEnvelope[]) => Promise<void>,
): Promise<AnyEnvelope[]> {
  const failed: AnyEnvelope[] = [];
  for (let i = 0; i < commands.length; i += COMMANDS_PER_TRANSACTION) {
    const part = commands.slice(i, i + COMMANDS_PER_TRANSACTION);
    try {
      await write(part);
    } catch {
      failed.push(...part); // decided on the next round's read
    }
  }
  return failed;
}

function addDeadLetter(
  tx: Tx,
  config: WriterLayout,
  envelope: AnyEnvelope,
  reason: string,
  attempts: number,
  write: { receipts: ReceiptWrite; replay: boolean },
): void {
  const now = Date.now();
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
  tx.set(
    deadLetterKey(envelope.commandId),
    letter,
    { entityName: config.entities.deadLetter },
    { ttl: DEAD_LETTER_TTL },
  );
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
      fingerprint: fingerprintOf(config, envelope),
    },
    write,
  );
}

/** Records what could not be read, keyed by event and position so a redelivery overwrites, not adds. */
export async function recordMalformed(
  config: WriterLayout,
  eventId: string,
  malformed: Malformed[],
): Promise<void> {
  await recordUnusable(
    config,
    malformed.map((item) => ({
      id: `malformed:${eventId}:${item.index}`,
      reason: item.reason,
      raw: item.raw,
    })),
  );
}

/** Records commands that reuse a settled command's id for different content: never applied. */
export async function recordReusedIds(config: WriterLayout, envelopes: AnyEnvelope[]): Promise<void> {
  await recordUnusable(
    config,
    envelopes.map((envelope) => ({
      id: `reused:${envelope.commandId}:${fingerprintOf(config, envelope)}`,
      reason: `command id ${envelope.commandId} was already used for a different command; this one was not applied`,
      raw: envelope,
    })),
  );
}

async function recordUnusable(
  config: WriterLayout,
  items: Array<{ id: string; reason: string; raw: unknown }>,
): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < items.length; i += TRANSACTION_LIMIT) {
    const tx = kvs.transact();
    for (const item of items.slice(i, i + TRANSACTION_LIMIT)) {
      const partitionId = readPartitionId(config, item.raw);
      const letter: DeadLetterRecord = {
        deadLetterId: item.id,
        ...(partitionId ? { [config.idField]: partitionId } : {}),
        status: 'malformed',
        reason: item.reason,
        attempts: 1,
        createdAt: now,
        envelope: { raw: safeStringify(item.raw).slice(0, MAX_RAW_CHARS) },
      };
      tx.set(
        deadLetterKey(item.id),
        letter,
        { entityName: config.entities.deadLetter },
        { ttl: DEAD_LETTER_TTL },
      );
    }
    await tx.execute();
  }
}

function readPartitionId(config: WriterLayout, raw: unknown): string | undefined {
  const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[config.idField] : undefined;
  return config.idSchema.safeParse(id).success ? (id as string) : undefined;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
