// Listing, replaying and discarding dead letters. Replay re-enqueues each command with its own id:
// if it was in fact applied meanwhile, its receipt turns the replay into a no-op.
import { kvs, Sort, WhereConditions } from '@forge/kvs';
import type { WriterLayout } from './definition';
import type { AnyEnvelope } from './envelope';
import { enqueue, type EnqueueResult } from './enqueue';
import { WriterError } from './errors';
import { deadLetterKey, type DeadLetterRecord, type DeadLetterStatus } from './storage-layout';

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

async function openLetters(config: WriterLayout, ids: readonly string[]): Promise<DeadLetterRecord[]> {
  const letters: DeadLetterRecord[] = [];
  for (const id of ids) {
    const letter = await kvs.entity<DeadLetterRecord>(config.entities.deadLetter).get(deadLetterKey(id));
    if (!letter) throw new WriterError('dead-letter-not-found', `no dead letter ${id}`);
    if (letter.status !== 'open')
      throw new WriterError('dead-letter-not-open', `dead letter ${id} is ${letter.status}, not open`);
    letters.push(letter);
  }
  return letters;
}

async function mark(config: WriterLayout, letters: DeadLetterRecord[], status: DeadLetterStatus) {
  for (const letter of letters) {
    await kvs
      .entity<DeadLetterRecord>(config.entities.deadLetter)
      .set(deadLetterKey(letter.deadLetterId), { ...letter, status });
  }
}

/** Re-enqueues open dead letters by id, then marks them replayed. */
export async function replayDeadLetters(
  config: WriterLayout,
  ids: readonly string[],
): Promise<EnqueueResult> {
  const letters = await openLetters(config, ids);
  const result = await enqueue(
    config,
    letters.map((l) => l.envelope as AnyEnvelope),
    { replay: true },
  );
  await mark(config, letters, 'replayed');
  return result;
}

/** Gives up on open dead letters for good: they stay listed as `discarded`, and are never applied. */
export async function discardDeadLetters(config: WriterLayout, ids: readonly string[]): Promise<void> {
  await mark(config, await openLetters(config, ids), 'discarded');
}
