// Listing, replaying and discarding dead letters. Replay re-enqueues each command with its own id,
// marked as a replay: if it was applied meanwhile, its receipt turns the replay into a no-op; if
// it fails again, the consumer makes it an open dead letter again. So replaying is idempotent and
// can be repeated: a letter marked replayed whose command is still dead-lettered (its replay
// failed, or has not run yet) can be replayed again. A letter lives DEAD_LETTER_TTL (30 days)
// unless it is replayed or discarded first.
import { kvs, Sort, WhereConditions } from '@forge/kvs';
import type { WriterLayout } from './definition';
import type { AnyEnvelope } from './envelope';
import { enqueue, type EnqueueResult } from './enqueue';
import { WriterError } from './errors';
import { BATCH_LIMIT } from './state-store';
import {
  DEAD_LETTER_TTL,
  deadLetterKey,
  isStorageKey,
  RECEIPT_TTL,
  type DeadLetterRecord,
  type DeadLetterStatus,
  type ReceiptRecord,
} from './storage-layout';

export interface DeadLetterPage {
  deadLetters: DeadLetterRecord[];
  nextCursor?: string;
}

export async function listDeadLetters(
  config: WriterLayout,
  status: DeadLetterStatus = 'open',
  options: { limit?: number; cursor?: string } = {},
): Promise<DeadLetterPage> {
  let query = kvs
    .entity<DeadLetterRecord>(config.entities.deadLetter)
    .query()
    .index('by-status', { partition: [status] })
    .where(WhereConditions.greaterThanEqualTo(0))
    .sort(Sort.DESC)
    .limit(options.limit ?? 50);
  if (options.cursor) query = query.cursor(options.cursor);
  const page = await query.getMany();
  return {
    deadLetters: page.results.map((r) => r.value),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** The letters, each with its command's receipt: one batch read per 12 letters. */
async function lettersAndReceipts(
  config: WriterLayout,
  ids: readonly string[],
): Promise<Array<{ letter: DeadLetterRecord; receipt?: ReceiptRecord }>> {
  const unique = [...new Set(ids)];
  // Never stored, so not found; asking storage would only earn a 400 (docs/writer/errors.md).
  const invalid = unique.find((id) => !isStorageKey(id) || !isStorageKey(deadLetterKey(id)));
  if (invalid !== undefined)
    throw new WriterError('dead-letter-not-found', `no dead letter ${JSON.stringify(invalid.slice(0, 100))}`);
  const found = new Map<string, DeadLetterRecord | ReceiptRecord>();
  const keys = unique.flatMap((id) => [
    { key: deadLetterKey(id), entityName: config.entities.deadLetter },
    { key: id, entityName: config.entities.receipt },
  ]);
  for (let i = 0; i < keys.length; i += BATCH_LIMIT - 1) {
    const result = await kvs.batchGet<DeadLetterRecord | ReceiptRecord>(keys.slice(i, i + BATCH_LIMIT - 1));
    const failed = result.failedKeys.filter((f) => f.error.code !== 'KEY_NOT_FOUND');
    if (failed.length > 0)
      throw new WriterError(
        'storage-unavailable',
        `reading dead letters failed: ${failed[0]!.error.message}`,
      );
    for (const item of result.successfulKeys) found.set(`${item.entityName}/${item.key}`, item.value);
  }
  return unique.map((id) => {
    const letter = found.get(`${config.entities.deadLetter}/${deadLetterKey(id)}`) as
      DeadLetterRecord | undefined;
    if (!letter) throw new WriterError('dead-letter-not-found', `no dead letter ${id}`);
    const receipt = found.get(`${config.entities.receipt}/${id}`) as ReceiptRecord | undefined;
    return { letter, ...(receipt ? { receipt } : {}) };
  });
}

/** Still waiting for someone: open, or replayed while its command is still dead-lettered. */
function stillDeadLettered({
  letter,
  receipt,
}: {
  letter: DeadLetterRecord;
  receipt?: ReceiptRecord;
}): boolean {
  if (letter.status === 'open') return true;
  return letter.status === 'replayed' && (receipt === undefined || receipt.status === 'dead-lettered');
}

async function mark(config: WriterLayout, letters: DeadLetterRecord[], status: DeadLetterStatus) {
  // A replayed letter stays as long as an open one: its replay may fail and need another.
  const ttl = status === 'discarded' ? RECEIPT_TTL : DEAD_LETTER_TTL;
  for (const letter of letters) {
    await kvs
      .entity<DeadLetterRecord>(config.entities.deadLetter)
      .set(deadLetterKey(letter.deadLetterId), { ...letter, status }, { ttl });
  }
}

/** Re-enqueues dead-lettered commands by id (open, or replayed without success), marked as a replay. */
export async function replayDeadLetters(
  config: WriterLayout,
  ids: readonly string[],
): Promise<EnqueueResult> {
  const found = await lettersAndReceipts(config, ids);
  const refused = found.filter((f) => !stillDeadLettered(f));
  if (refused.length > 0) {
    const [first] = refused;
    throw new WriterError(
      'dead-letter-not-open',
      `dead letter ${first!.letter.deadLetterId} is ${first!.letter.status}${first!.receipt ? ` and its command ${first!.receipt.status}` : ''}: nothing to replay`,
    );
  }
  const letters = found.map((f) => f.letter);
  const result = await enqueue(
    config,
    letters.map((l) => l.envelope as AnyEnvelope),
    { replay: true },
  );
  await mark(config, letters, 'replayed');
  return result;
}

/**
 * Gives up on open dead letters for good: listed as `discarded`, never applied. A letter being
 * replayed cannot be discarded (its replay may be running): let it settle, or replay it again.
 */
export async function discardDeadLetters(config: WriterLayout, ids: readonly string[]): Promise<void> {
  const found = await lettersAndReceipts(config, ids);
  const refused = found.filter((f) => f.letter.status !== 'open');
  if (refused.length > 0) {
    const { letter } = refused[0]!;
    throw new WriterError(
      'dead-letter-not-open',
      `dead letter ${letter.deadLetterId} is ${letter.status}, not open`,
    );
  }
  await mark(
    config,
    found.map((f) => f.letter),
    'discarded',
  );
}
