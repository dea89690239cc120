// The dead letters as an app's console sees them through `writer.deadLetters`: listed newest first
// a page at a time, read 12 letters (24 keys) per storage request, replayed or discarded only
// when nothing else is waiting on them, each refusal naming the letter and why, and how long a
// replayed or discarded letter is kept. docs/writer.md, "Dead letters".
import { kvs } from '@forge/kvs';
import { describe, expect, it, vi } from 'vitest';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { deadLetterKey, WriterError } from '../../src/shared/writer/index.js';
import { failBatchReads } from './failed-batch-reads.js';
import { appPerTest, recordActivity, storedReceipt } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;
const entities = issueWriter.entities;

describe('dead letters: list, replay, discard', () => {
  const app = appPerTest();

  const letter = (id: string) => app().storage.getEntity(entities.deadLetter, deadLetterKey(id));
  /** Open dead letters, one per command (as a producer whose pushes kept failing leaves them). */
  async function parked(count: number): Promise<string[]> {
    const cmds = Array.from({ length: count }, (_, i) => recordActivity(`${10001 + i}`));
    await app().runAsApp(() => issueWriter.deadLetters.park(cmds, 'pushes kept failing'));
    return cmds.map((c) => c.commandId);
  }
  const list = (status?: 'open' | 'replayed' | 'discarded', options?: { limit?: number; cursor?: string }) =>
    app().runAsApp(() => issueWriter.deadLetters.list(status, options));
  const replay = (ids: string[]) => app().runAsApp(() => issueWriter.deadLetters.replay(ids));
  const discard = (ids: string[]) => app().runAsApp(() => issueWriter.deadLetters.discard(ids));
  const refusal = (call: Promise<unknown>) =>
    call.then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e as WriterError,
    );

  it('lists the newest letter first, a page at a time, the last page without a cursor', async () => {
    const [oldest] = await parked(1);
    await app().advance(1000);
    const [middle] = await parked(1);
    await app().advance(1000);
    const [newest] = await parked(1);

    const first = await list('open', { limit: 2 });
    expect(first.deadLetters.map((l) => l.deadLetterId)).toEqual([newest, middle]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list('open', { limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ deadLetters: [expect.objectContaining({ deadLetterId: oldest })] });
    expect((await list()).deadLetters.map((l) => l.deadLetterId)).toEqual([newest, middle, oldest]);
  });

  it('reads 12 letters in one storage request and 13 in two, and discards them all', async () => {
    const reads = vi.spyOn(kvs, 'batchGet');
    const twelve = await parked(12);
    reads.mockClear();
    await discard(twelve);
    // Each letter is read with its command's receipt: 24 keys of the 25 a request may hold.
    expect(reads.mock.calls.map(([keys]) => keys.length)).toEqual([24]);

    const thirteen = await parked(13);
    reads.mockClear();
    await discard(thirteen);
    expect(reads.mock.calls.map(([keys]) => keys.length)).toEqual([24, 2]);
    expect(reads.mock.calls[1]![0].map((k) => k.key)).toEqual([deadLetterKey(thirteen[12]!), thirteen[12]]);
    const discarded = (await list('discarded')).deadLetters.map((l) => l.deadLetterId);
    expect(discarded.sort()).toEqual([...twelve, ...thirteen].sort());
  });

  it('discards an open letter: listed as discarded, unchanged otherwise, kept 8 days', async () => {
    const [id] = await parked(1);
    const before = letter(id!) as object;
    await discard([id!]);
    expect(letter(id!)).toEqual({ ...before, status: 'discarded' });
    expect((await list('open')).deadLetters).toEqual([]);
    expect((await list('discarded')).deadLetters).toEqual([{ ...before, status: 'discarded' }]);
    await app().advance(8 * DAY - 60_000);
    expect(letter(id!)).toMatchObject({ status: 'discarded' });
    await app().advance(2 * 60_000);
    expect(letter(id!)).toBeUndefined();
  });

  it('keeps a replayed letter 30 days, as long as an open one, its command applied', async () => {
    const [id] = await parked(1);
    const before = letter(id!) as object;
    await replay([id!]);
    expect(letter(id!)).toEqual({ ...before, status: 'replayed' });
    await app().runUntilIdle();
    expect(storedReceipt(app(), id!)?.status).toBe('applied');
    await app().advance(8 * DAY + 60_000);
    expect((await list('replayed')).deadLetters.map((l) => l.deadLetterId)).toEqual([id]);
    await app().advance(22 * DAY);
    expect(letter(id!)).toBeUndefined();
  });

  it('refuses to discard a letter that is not open, naming it, and discards none of the others', async () => {
    const [replayed, open] = await parked(2);
    await replay([replayed!]);
    const error = await refusal(discard([open!, replayed!]));
    expect(error).toBeInstanceOf(WriterError);
    expect(error).toMatchObject({
      code: 'dead-letter-not-open',
      retryable: false,
      message: `dead letter ${replayed} is replayed, not open`,
    });
    expect((await list('open')).deadLetters.map((l) => l.deadLetterId)).toEqual([open]);
    expect((await list('discarded')).deadLetters).toEqual([]);
  });

  it('refuses an id with no dead letter, naming it, and replays or discards nothing', async () => {
    const [id] = await parked(1);
    const pushed = app().metered()['events.pushed'];
    for (const call of [replay, discard]) {
      const error = await refusal(call([id!, 'cmd-no-such-letter']));
      expect(error).toMatchObject({
        name: 'WriterError',
        code: 'dead-letter-not-found',
        retryable: false,
        message: 'no dead letter cmd-no-such-letter',
      });
    }
    expect(app().metered()['events.pushed']).toBe(pushed);
    expect(letter(id!)).toMatchObject({ status: 'open' });
  });

  it('refuses an id storage could never hold as not found, without a request', async () => {
    const [id] = await parked(1);
    const before = app().metered()['kvs.requests'];
    for (const bad of ['no/such id', 'x'.repeat(498), '   ']) {
      for (const call of [replay, discard]) {
        const error = await refusal(call([id!, bad]));
        expect(error).toMatchObject({
          code: 'dead-letter-not-found',
          retryable: false,
          message: `no dead letter ${JSON.stringify(bad.slice(0, 100))}`,
        });
      }
    }
    expect(app().metered()['kvs.requests']).toBe(before);
    expect(letter(id!)).toMatchObject({ status: 'open' });
    // The longest id whose letter key storage takes is still looked up: 497 characters.
    expect(await refusal(discard(['x'.repeat(497)]))).toMatchObject({
      message: `no dead letter ${'x'.repeat(497)}`,
    });
  });

  it('refuses to replay a letter whose command was applied, or malformed input, saying why', async () => {
    const [id] = await parked(1);
    await replay([id!]);
    await app().runUntilIdle();
    expect(await refusal(replay([id!]))).toMatchObject({
      code: 'dead-letter-not-open',
      retryable: false,
      message: `dead letter ${id} is replayed and its command applied: nothing to replay`,
    });

    // An event whose command could not be read: its letter has no command, and no receipt.
    await app().runAsApp(() =>
      issueWriter.handler({ body: { v: 1, commands: ['not a command'] }, eventId: 'evt-1' }),
    );
    const malformed = 'malformed:evt-1:0';
    expect(letter(malformed)).toMatchObject({ status: 'malformed' });
    const pushed = app().metered()['events.pushed'];
    expect(await refusal(replay([malformed]))).toMatchObject({
      code: 'dead-letter-not-open',
      message: `dead letter ${malformed} is malformed: nothing to replay`,
    });
    expect(app().metered()['events.pushed']).toBe(pushed);
  });

  it('fails with a retryable storage error naming it when a letter cannot be read', async () => {
    const [id, other] = await parked(2);
    failBatchReads([deadLetterKey(other!)], { code: 'INTERNAL_SERVER_ERROR', message: 'shard unavailable' });
    for (const call of [replay, discard]) {
      expect(await refusal(call([id!, other!]))).toMatchObject({
        name: 'WriterError',
        code: 'storage-unavailable',
        retryable: true,
        message: 'reading dead letters failed: shard unavailable',
      });
    }
    vi.restoreAllMocks();
    expect((await list('open')).deadLetters.map((l) => l.deadLetterId).sort()).toEqual([id, other].sort());
  });
});
