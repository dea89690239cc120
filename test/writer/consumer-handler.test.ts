// The consumer handler called as Forge calls it, one delivery at a time, with the retry context
// set by hand and chosen storage writes failing: what it answers (retry when, why, with which
// retryData), what it dead-letters or hands off, and what it logs. docs/writer.md, "The consumer,
// step by step", and docs/writer/backoff.md.
import { ForgeKvsAPIError, kvs } from '@forge/kvs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { deadLetterKey, type AnyEnvelope, type QueueEvent } from '../../src/shared/writer/index.js';
import type { RetryContext } from '../../src/shared/writer/consumer/retry-policy.js';
import { fingerprintOf } from '../../src/shared/writer/fingerprint.js';
import { commitElsewhere, interceptTransactions } from './intercepted-transactions.js';
import { appPerTest, envelopeFor, recordActivity, storedIssue, storedReceipt } from './harness.js';

const HOUR = 60 * 60 * 1000;
const entities = issueWriter.entities;

const kvsError = (status: number, code: string) =>
  new ForgeKvsAPIError({ status, statusText: code }, { code, message: `${code} happened` });

interface Answer {
  _retry: boolean;
  retryOptions: { retryAfter: number; retryReason: string; retryData: Record<string, unknown> };
}

describe('consumer handler', () => {
  const app = appPerTest();
  let errors: string[];
  let warnings: string[];
  beforeEach(async () => {
    errors = [];
    warnings = [];
    vi.spyOn(console, 'error').mockImplementation((message: string) => void errors.push(message));
    vi.spyOn(console, 'warn').mockImplementation((message: string) => void warnings.push(message));
  });

  const event = (commands: unknown[], retryContext?: RetryContext, extra: object = {}): QueueEvent => ({
    body: { v: 1, commands, ...extra },
    eventId: 'evt-1',
    ...(retryContext ? { retryContext } : {}),
  });
  const deliver = (e: QueueEvent) =>
    app().runAsApp(() => issueWriter.handler(e)) as Promise<Answer | undefined>;
  const letter = (id: string) =>
    app().storage.getEntity(entities.deadLetter, deadLetterKey(id)) as
      { status: string; reason: string; attempts: number } | undefined;

  /**
   * Makes transactions fail: those writing dead letters (`letters`), those committing state
   * (`commits`), with the given error, while `when()` says so.
   */
  function failWrites(which: { letters?: unknown; commits?: unknown }, when: () => boolean = () => true) {
    interceptTransactions((tx) => {
      const letters = tx.writes.some((write) => write.entityName === entities.deadLetter);
      const error = letters ? which.letters : which.commits;
      return error !== undefined && when() ? Promise.reject(error) : tx.execute();
    });
  }

  /** Every commit of this issue meets a competing one first. */
  function competeOnEveryCommit(issueId: string) {
    interceptTransactions(async (tx) => {
      await commitElsewhere(issueWriter.config, issueId);
      return tx.execute();
    });
  }

  async function existing(issueId: string) {
    await deliver(event([recordActivity(issueId)]));
    expect(storedIssue(app(), issueId)?.version).toBe(1);
  }

  describe('up front, before any work', () => {
    it('dead-letters the commands not yet settled once delivered more than 40 times', async () => {
      const [done, left] = [recordActivity('10001'), recordActivity('10001')];
      const answer = await deliver(
        event([done, left], {
          retryCount: 40,
          retryData: { attempt: 40, settled: [done.commandId], reason: 'storage error: X' },
        }),
      );
      expect(answer).toBeUndefined();
      expect(letter(left.commandId)).toMatchObject({
        status: 'open',
        reason: 'delivered 41 times without settling; storage error: X',
        attempts: 41,
      });
      expect(letter(done.commandId)).toBeUndefined();
      expect(storedIssue(app(), '10001')).toBeUndefined();
      expect(warnings).toContain(
        'Dead-lettered 1 command(s) after 41 attempt(s): delivered 41 times without settling; storage error: X',
      );
    });

    it('still works on the 40th delivery, and on a first one whatever is left of the window', async () => {
      const cmd = recordActivity('10001');
      expect(await deliver(event([cmd], { retryCount: 39 }))).toBeUndefined();
      expect(storedReceipt(app(), cmd.commandId)?.status).toBe('applied');
      const first = recordActivity('10001');
      expect(await deliver(event([first], { retentionWindow: { remainingTimeMs: 1000 } }))).toBeUndefined();
      expect(storedReceipt(app(), first.commandId)?.status).toBe('applied');
    });

    it('dead-letters a redelivery with under 2 hours of the window left, naming crashes when nothing else is known', async () => {
      const cmd = recordActivity('10001');
      const atMargin = recordActivity('10001');
      expect(
        await deliver(event([atMargin], { retryCount: 1, retentionWindow: { remainingTimeMs: 2 * HOUR } })),
      ).toBeUndefined();
      expect(storedReceipt(app(), atMargin.commandId)?.status).toBe('applied');
      await deliver(event([cmd], { retryCount: 1, retentionWindow: { remainingTimeMs: 2 * HOUR - 1 } }));
      expect(letter(cmd.commandId)?.reason).toBe('delivered 2 times without settling; crashes or time-outs');
    });

    it('when storage refuses those dead letters, retries in 60 s with what it knew', async () => {
      failWrites({ letters: kvsError(503, 'SERVICE_UNAVAILABLE') });
      const cmd = recordActivity('10001');
      const answer = await deliver(
        event([cmd], { retryCount: 41, retryData: { attempt: 41, settled: ['cmd-x'], reason: 'why' } }),
      );
      expect(answer?.retryOptions).toMatchObject({
        retryAfter: 60,
        retryReason: 'FUNCTION_RETRY_REQUEST',
        retryData: { attempt: 42, settled: ['cmd-x'], malformedRecorded: false, reason: 'why' },
      });
      expect(letter(cmd.commandId)).toBeUndefined();
      // With nothing settled before, nothing is said to be.
      const fresh = await deliver(event([recordActivity('10001')], { retryCount: 41 }));
      expect(fresh?.retryOptions.retryData).toEqual({ attempt: 42, settled: [], malformedRecorded: false });
    });

    it('with the window closing and the dead letters refused, hands the commands to a new event', async () => {
      failWrites({ letters: kvsError(503, 'SERVICE_UNAVAILABLE') });
      const cmd = recordActivity('10001');
      const pushed = app().metered()['events.pushed'];
      const answer = await deliver(
        event([cmd], { retryCount: 45, retentionWindow: { remainingTimeMs: 60_000 + 10 * 60_000 - 1 } }),
      );
      expect(answer).toBeUndefined();
      expect(app().metered()['events.pushed'] - pushed).toBe(1);
      expect(warnings.some((w) => w.startsWith('Handed 1 command(s) to a new event'))).toBe(true);
      // Pushed without coalescing: the hand-off writes nothing to storage, not even a deposit.
      expect(storedReceipt(app(), cmd.commandId)).toBeUndefined();
      vi.mocked(kvs.transact).mockRestore();
      await app().runUntilIdle();
      expect(storedReceipt(app(), cmd.commandId)?.status).toBe('applied');
    });

    it('when the hand-off push fails too, logs it and retries in 60 s', async () => {
      failWrites({ letters: kvsError(503, 'SERVICE_UNAVAILABLE') });
      app().setFaults({ push: { serverError: 1 } });
      const answer = await deliver(
        event([recordActivity('10001')], {
          retryCount: 45,
          retentionWindow: { remainingTimeMs: 5 * 60_000 },
        }),
      );
      expect(answer?.retryOptions).toMatchObject({
        retryAfter: 60,
        retryReason: 'FUNCTION_RETRY_REQUEST',
        retryData: { attempt: 46, settled: [], malformedRecorded: false },
      });
      expect(errors).toEqual([
        'Handing off to a new event failed: 1 command(s) were not enqueued: 500 Internal Server Error: Injected server error',
      ]);
      expect(warnings.filter((w) => w.startsWith('Handed'))).toEqual([]);
    });

    it('hands off a replay as a replay, so a dead-lettered command is still applied', async () => {
      const cmd = recordActivity('10001');
      await app().runAsApp(() => issueWriter.deadLetters.park([cmd], 'push kept failing'));
      expect(storedReceipt(app(), cmd.commandId)?.status).toBe('dead-lettered');
      failWrites({ letters: kvsError(503, 'SERVICE_UNAVAILABLE') });
      const answer = await deliver(
        event([cmd], { retryCount: 45, retentionWindow: { remainingTimeMs: 5 * 60_000 } }, { replay: true }),
      );
      expect(answer).toBeUndefined();
      vi.mocked(kvs.transact).mockRestore();
      await app().runUntilIdle();
      expect(storedReceipt(app(), cmd.commandId)?.status).toBe('applied');
    });

    it('logs nothing and writes nothing when every command was settled by earlier attempts', async () => {
      const cmd = recordActivity('10001');
      const answer = await deliver(
        event([cmd], { retryCount: 41, retryData: { attempt: 41, settled: [cmd.commandId] } }),
      );
      expect(answer).toBeUndefined();
      expect(warnings).toEqual([]);
      expect(letter(cmd.commandId)).toBeUndefined();
    });

    it('hands nothing off while a retry would still leave 10 minutes', async () => {
      failWrites({ letters: kvsError(503, 'SERVICE_UNAVAILABLE') });
      const pushed = app().metered()['events.pushed'];
      const answer = await deliver(
        event([recordActivity('10001')], {
          retryCount: 45,
          retentionWindow: { remainingTimeMs: 11 * 60_000 },
        }),
      );
      expect(answer?.retryOptions.retryAfter).toBe(60);
      expect(app().metered()['events.pushed']).toBe(pushed);
    });
  });

  describe('after the work', () => {
    it('asks for a retry when conflicts persist, with the reason, the attempt and backoff', async () => {
      await existing('10001');
      competeOnEveryCommit('10001');
      const answer = await deliver(event([recordActivity('10001')]));
      expect(answer?._retry).toBe(true);
      expect(answer?.retryOptions.retryReason).toBe('FUNCTION_RETRY_REQUEST');
      expect(answer?.retryOptions.retryData).toEqual({
        attempt: 1,
        settled: [],
        malformedRecorded: false,
        reason: 'version conflicts persisted after 3 attempts',
      });
      // Full jitter for the first redelivery: 1 to 4 s.
      expect(answer?.retryOptions.retryAfter).toBeGreaterThanOrEqual(1);
      expect(answer?.retryOptions.retryAfter).toBeLessThanOrEqual(4);
    });

    it('tells Forge a rate limit as such, and keeps the reason under 300 characters', async () => {
      await existing('10001');
      failWrites({ commits: kvsError(429, 'RATE_LIMITED') });
      const answer = await deliver(event([recordActivity('10001')]));
      expect(answer?.retryOptions.retryReason).toBe('FUNCTION_UPSTREAM_RATE_LIMITED');
      expect(answer?.retryOptions.retryData.reason).toBe('storage error: RATE_LIMITED (429)');

      vi.mocked(kvs.transact).mockRestore();
      failWrites({ commits: kvsError(503, 'X'.repeat(400)) });
      const long = await deliver(event([recordActivity('10001')]));
      expect(long?.retryOptions.retryReason).toBe('FUNCTION_RETRY_REQUEST');
      expect(long?.retryOptions.retryData.reason).toBe(
        `storage error: ${'X'.repeat(400)} (503)`.slice(0, 300),
      );
    });

    it('dead-letters what is left when the next retry would leave under 2 hours, and says so', async () => {
      await existing('10001');
      competeOnEveryCommit('10001');
      const cmd = recordActivity('10001');
      const answer = await deliver(
        event([cmd], { retryCount: 1, retentionWindow: { remainingTimeMs: 2 * HOUR + 500 } }),
      );
      expect(answer).toBeUndefined();
      expect(letter(cmd.commandId)).toMatchObject({
        status: 'open',
        reason: 'version conflicts persisted after 3 attempts',
        attempts: 2,
      });
      expect(warnings).toContain(
        'Dead-lettered 1 command(s) after 2 attempt(s): version conflicts persisted after 3 attempts',
      );
    });

    it('when that dead letter is refused too, logs it and retries within a minute', async () => {
      await existing('10001');
      failWrites({ commits: kvsError(503, 'UNAVAILABLE'), letters: kvsError(503, 'UNAVAILABLE') });
      const answer = await deliver(
        event([recordActivity('10001')], {
          retryCount: 30,
          retryData: { attempt: 30, settled: ['cmd-settled-before'] },
          retentionWindow: { remainingTimeMs: 2 * HOUR + 1000 },
        }),
      );
      expect(errors).toContain('Dead-lettering failed: could not dead-letter 1 command(s)');
      expect(answer?.retryOptions.retryAfter).toBeLessThanOrEqual(60);
      expect(answer?.retryOptions.retryData).toMatchObject({
        attempt: 31,
        settled: ['cmd-settled-before'],
        reason: 'storage error: UNAVAILABLE (503)',
      });
    });

    it('dead-letters at once what storage refuses for good, with its reason', async () => {
      await existing('10001');
      failWrites({ commits: kvsError(400, 'VALUE_TOO_LARGE') });
      const cmd = recordActivity('10001');
      expect(await deliver(event([cmd]))).toBeUndefined();
      expect(letter(cmd.commandId)?.reason).toBe('storage refused the write: VALUE_TOO_LARGE (400)');
    });

    it('retries in 60 s when that dead letter is refused, keeping the reason', async () => {
      await existing('10001');
      failWrites({ commits: kvsError(400, 'VALUE_TOO_LARGE'), letters: kvsError(503, 'UNAVAILABLE') });
      const answer = await deliver(event([recordActivity('10001')]));
      expect(answer?.retryOptions).toMatchObject({
        retryAfter: 60,
        retryData: { attempt: 1, settled: [], reason: 'storage refused the write: VALUE_TOO_LARGE (400)' },
      });
    });

    it('keeps what is settled in retryData when the dead letter of a refused write is refused', async () => {
      const done = recordActivity('10001');
      await deliver(event([done]));
      failWrites({ commits: kvsError(400, 'VALUE_TOO_LARGE'), letters: kvsError(503, 'UNAVAILABLE') });
      const answer = await deliver(event([done, recordActivity('10001')], { retryCount: 1 }));
      expect(answer?.retryOptions).toMatchObject({
        retryAfter: 60,
        retryData: {
          attempt: 2,
          settled: [done.commandId],
          reason: 'storage refused the write: VALUE_TOO_LARGE (400)',
        },
      });
    });

    it('names in retryData a command found settled while conflicts persist, so no retry commits it', async () => {
      const done = recordActivity('10001');
      await deliver(event([done]));
      competeOnEveryCommit('10001');
      const answer = await deliver(event([done, recordActivity('10001')]));
      expect(answer?.retryOptions.retryData).toEqual({
        attempt: 1,
        settled: [done.commandId],
        malformedRecorded: false,
        reason: 'version conflicts persisted after 3 attempts',
      });
    });

    it('reads receipts first on a redelivery, skipping what an earlier attempt settled', async () => {
      const done = recordActivity('10001');
      await deliver(event([done]));
      const batches = app().metered()['kvs.batch.get'];
      const failed = app().metered()['kvs.failedConditions'];
      expect(await deliver(event([done, recordActivity('10001')], { retryCount: 1 }))).toBeUndefined();
      expect(app().metered()['kvs.batch.get'] - batches).toBe(1);
      expect(app().metered()['kvs.failedConditions']).toBe(failed);
      expect(storedIssue(app(), '10001')?.version).toBe(2);
    });

    it('records a command id reused for a different command, and logs it', async () => {
      const original = recordActivity('10001');
      await deliver(event([original]));
      const reused = envelopeFor(
        '10001',
        { type: 'activity.record', payload: { kind: 'commented', at: 3 } },
        {
          commandId: original.commandId,
        },
      );
      expect(await deliver(event([reused]))).toBeUndefined();
      expect(errors).toContain('1 command(s) reuse the id of a different, settled command');
      expect(
        letter(`reused:${original.commandId}:${fingerprintOf(issueWriter.config, reused)}`),
      ).toMatchObject({
        status: 'malformed',
        reason: `command id ${original.commandId} was already used for a different command; this one was not applied`,
      });
      expect(storedIssue(app(), '10001')?.version).toBe(1);
    });

    it('logs a reused id it could not record, and is done all the same', async () => {
      const original = recordActivity('10001');
      await deliver(event([original]));
      failWrites({ letters: kvsError(503, 'UNAVAILABLE') });
      const reused = recordActivity('10002', { commandId: original.commandId });
      expect(await deliver(event([reused]))).toBeUndefined();
      expect(errors).toEqual([
        '1 command(s) reuse the id of a different, settled command',
        'Recording them failed: UNAVAILABLE (503)',
      ]);
      expect(storedIssue(app(), '10002')).toBeUndefined();
    });
  });

  describe('malformed input', () => {
    const malformed = { type: 'no.such.command', commandId: 'bad-1' };

    it('records it once, logs it, and applies the valid commands beside it', async () => {
      const good = recordActivity('10001');
      expect(await deliver(event([malformed, good]))).toBeUndefined();
      expect(errors.some((e) => e.startsWith('Malformed command in event evt-1: '))).toBe(true);
      expect(letter('malformed:evt-1:0')?.status).toBe('malformed');
      expect(storedReceipt(app(), good.commandId)?.status).toBe('applied');

      // A redelivery that says it was recorded does not record it again.
      await app().runAsApp(() => kvs.entity(entities.deadLetter).delete(deadLetterKey('malformed:evt-1:0')));
      errors.length = 0;
      await deliver(
        event([malformed, good], { retryCount: 1, retryData: { attempt: 1, malformedRecorded: true } }),
      );
      expect(letter('malformed:evt-1:0')).toBeUndefined();
      expect(errors).toEqual([]);
    });

    it('remembers it was recorded when the valid commands need a retry', async () => {
      await existing('10001');
      competeOnEveryCommit('10001');
      const answer = await deliver(event([malformed, recordActivity('10001')]));
      expect(letter('malformed:evt-1:0')?.status).toBe('malformed');
      expect(answer?.retryOptions.retryData).toMatchObject({ attempt: 1, malformedRecorded: true });
    });

    it('retries within a minute while its record is refused, then gives it up as the window ends', async () => {
      failWrites({ letters: kvsError(503, 'UNAVAILABLE') });
      const good = recordActivity('10001');
      const answer = await deliver(event([malformed, good]));
      // The first retry's backoff (1 to 4 s), at most a minute later on.
      expect(answer?.retryOptions.retryAfter).toBeLessThanOrEqual(4);
      expect(answer?.retryOptions.retryData).toMatchObject({
        attempt: 1,
        settled: [good.commandId],
        malformedRecorded: false,
      });
      expect(storedReceipt(app(), good.commandId)?.status).toBe('applied');

      const late = await deliver(
        event([malformed, good], { retryCount: 1, retentionWindow: { remainingTimeMs: 2 * HOUR + 1000 } }),
      );
      expect(late?.retryOptions.retryData).toMatchObject({ attempt: 2, malformedRecorded: false });
      const ending = await deliver(event([malformed], { retentionWindow: { remainingTimeMs: 60_000 } }));
      expect(ending).toBeUndefined();
      expect(errors).toContain(
        'Giving up recording the malformed input of event evt-1: the window is ending',
      );
    });
  });

  it('gives up recording it only when a retry would leave under a minute of the window', async () => {
    failWrites({ letters: kvsError(503, 'UNAVAILABLE') });
    vi.spyOn(Math, 'random').mockReturnValue(0); // the shortest backoff: 1 s
    const malformed = { type: 'no.such.command', commandId: 'bad-1' };
    const retried = await deliver(event([malformed], { retentionWindow: { remainingTimeMs: 61_000 } }));
    expect(retried?.retryOptions).toMatchObject({
      retryAfter: 1,
      retryData: { attempt: 1, malformedRecorded: false },
    });
    expect(errors).not.toContain(
      'Giving up recording the malformed input of event evt-1: the window is ending',
    );
    expect(
      await deliver(event([malformed], { retentionWindow: { remainingTimeMs: 60_999 } })),
    ).toBeUndefined();
    expect(errors).toContain('Giving up recording the malformed input of event evt-1: the window is ending');
  });

  it('names an event with neither an event id nor a job id "unknown"', async () => {
    expect(await deliver({ body: { v: 1, commands: [{ type: 'no.such.command' }] } })).toBeUndefined();
    expect(errors.some((e) => e.startsWith('Malformed command in event unknown: '))).toBe(true);
    expect(letter('malformed:unknown:0')?.status).toBe('malformed');
  });

  it('answers an event that is not a command event by recording it, not by throwing', async () => {
    const answer = await deliver({ body: { nonsense: true }, jobId: 'job-7' } as QueueEvent);
    expect(answer).toBeUndefined();
    expect(letter('malformed:job-7:-1')?.status).toBe('malformed');
  });

  it('never applies the same command twice across deliveries', async () => {
    const cmds: AnyEnvelope[] = [recordActivity('10001'), recordActivity('10002')];
    await deliver(event(cmds));
    await deliver(event(cmds, { retryCount: 1 }));
    expect(storedIssue(app(), '10001')?.version).toBe(1);
    expect(storedIssue(app(), '10002')?.version).toBe(1);
  });
});
