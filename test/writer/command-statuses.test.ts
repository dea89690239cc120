// `writer.readStatuses` at its edges: no ids costs no storage request, more than one request
// reads is refused with the limit named, a receipt is reported only to a caller naming its
// partition, and a receipt storage could not read fails the call as retryable (a missing one
// is `pending`). docs/writer.md, "Statuses".
import { describe, expect, it, vi } from 'vitest';
import { Counters } from '../../local-runtime/index.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { WriterError } from '../../src/shared/writer/index.js';
import { failBatchReads } from './failed-batch-reads.js';
import { appPerTest, recordActivity } from './harness.js';

describe('command statuses', () => {
  const app = appPerTest();

  const read = (ids: string[], options?: { partitionId?: string }) =>
    app().runAsApp(() => issueWriter.readStatuses(ids, options));
  async function applied(issueId: string) {
    const cmd = recordActivity(issueId);
    await app().runAsApp(() => issueWriter.enqueue(cmd));
    await app().runUntilIdle();
    return cmd.commandId;
  }

  it('answers no ids with nothing, without asking storage', async () => {
    const before = app().metered();
    expect(await read([])).toEqual([]);
    expect(Counters.diff(before, app().metered())['kvs.requests']).toBe(0);
  });

  it('refuses more ids than one request reads, naming the limit, and counts an id asked twice once', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `cmd-never-sent-${i}`);
    expect(await read([...ids, ids[0]!])).toHaveLength(25);
    const error = await read([...ids, 'cmd-one-too-many']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriterError);
    expect(error).toMatchObject({
      code: 'too-many-ids',
      retryable: false,
      message: 'ask for at most 25 command ids at once',
    });
  });

  it('reports a command only to a caller naming its partition, or none', async () => {
    const id = await applied('10001');
    const reported = { commandId: id, status: 'applied', version: 1, settledAt: expect.any(Number) };
    expect(await read([id])).toEqual([reported]);
    expect(await read([id], { partitionId: '10001' })).toEqual([reported]);
    // Another partition's caller learns nothing: the command reads as if never enqueued.
    expect(await read([id, 'cmd-never-sent'], { partitionId: '10002' })).toEqual([
      { commandId: id, status: 'pending' },
      { commandId: 'cmd-never-sent', status: 'pending' },
    ]);
  });

  it('refuses an id storage could never hold, without a request: asking again cannot help', async () => {
    const before = app().metered();
    for (const bad of ['no/such id', 'x'.repeat(501), '  ', '']) {
      const error = await read(['cmd-never-sent', bad]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WriterError);
      expect(error).toMatchObject({
        code: 'invalid-id',
        retryable: false,
        message: `${JSON.stringify(bad.slice(0, 100))} cannot be a command id`,
      });
    }
    expect(Counters.diff(before, app().metered())['kvs.requests']).toBe(0);
    // A key storage takes is read, even if no command could have it: it reads as never enqueued.
    expect(await read(['x'.repeat(500), 'with space #1', ' leading space'])).toEqual([
      { commandId: 'x'.repeat(500), status: 'pending' },
      { commandId: 'with space #1', status: 'pending' },
      { commandId: ' leading space', status: 'pending' },
    ]);
  });

  it('fails as retryable, with storage’s message, when a receipt could not be read', async () => {
    const [id, other] = [await applied('10001'), await applied('10002')];
    failBatchReads([other], { code: 'INTERNAL_SERVER_ERROR', message: 'shard unavailable' });
    const error = await read([id, other, 'cmd-never-sent']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriterError);
    expect(error).toMatchObject({
      name: 'WriterError',
      code: 'storage-unavailable',
      retryable: true,
      message: 'reading receipts failed: shard unavailable',
    });
    // Read again once storage answers: the call can simply be retried.
    vi.restoreAllMocks();
    expect((await read([id, other])).map((s) => s.status)).toEqual(['applied', 'applied']);
  });
});
