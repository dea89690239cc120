// Listing and replaying dead letters. Replay re-enqueues each command with its own id: if it was
// in fact applied meanwhile, its receipt turns the replay into a no-op.
import { kvs, Sort, WhereConditions } from '@forge/kvs';
import { enqueue, type EnqueueResult } from './enqueue';
import type { CommandEnvelope } from './command-envelope';
import { deadLetterKey, ENTITY, type DeadLetterRecord, type DeadLetterStatus } from './storage-layout';

export interface DeadLetterPage {
  deadLetters: DeadLetterRecord[];
  nextCursor?: string;
}

export async function listDeadLetters(
  status: DeadLetterStatus = 'open',
  options: { limit?: number; cursor?: string } = {},
): Promise<DeadLetterPage> {
  let query = kvs
    .entity<DeadLetterRecord>(ENTITY.deadLetter)
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

/** Re-enqueues open dead letters by id, then marks them replayed. */
export async function replayDeadLetters(deadLetterIds: readonly string[]): Promise<EnqueueResult> {
  const letters: DeadLetterRecord[] = [];
  for (const id of deadLetterIds) {
    const letter = await kvs.entity<DeadLetterRecord>(ENTITY.deadLetter).get(deadLetterKey(id));
    if (!letter) throw new Error(`no dead letter ${id}`);
    if (letter.status !== 'open') throw new Error(`dead letter ${id} is ${letter.status}, not open`);
    letters.push(letter);
  }
  const result = await enqueue(
    letters.map((l) => l.envelope as CommandEnvelope),
    { replay: true },
  );
  for (const letter of letters) {
    await kvs
      .entity<DeadLetterRecord>(ENTITY.deadLetter)
      .set(deadLetterKey(letter.deadLetterId), { ...letter, status: 'replayed' });
  }
  return result;
}
