// What a redelivery knows of earlier ones (retryData and Forge's retry context), and how a storage
// error is read: which failures count as a conflict, and the one line that names it in a reason.
import { ForgeKvsAPIError } from '@forge/kvs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  encodeRetryData,
  mustDeadLetter,
  readRetryState,
  RETENTION_MS,
} from '../../src/shared/writer/consumer/retry-policy.js';
import {
  describeStorageError,
  isCommitConflict,
  writeUnlessConflict,
} from '../../src/shared/writer/storage-errors.js';

const kvsError = (status: number, code: string) =>
  new ForgeKvsAPIError({ status, statusText: 'x' }, { code, message: `${code} happened` });

describe('retry state', () => {
  it('starts at attempt 0 with the whole retention window when nothing came before', () => {
    expect(readRetryState(undefined)).toEqual({ attempt: 0, remainingMs: RETENTION_MS });
    expect(readRetryState({ retryData: 'junk', retryCount: 'two' as unknown as number })).toEqual({
      attempt: 0,
      remainingMs: RETENTION_MS,
    });
  });

  it("takes the larger of its own attempt and Forge's retry count (a crash hands back old retryData)", () => {
    const data = { attempt: 3, settled: ['cmd-a'], malformedRecorded: true, reason: 'storage error' };
    expect(
      readRetryState({ retryData: data, retryCount: 7, retentionWindow: { remainingTimeMs: 5_000 } }),
    ).toEqual({
      ...data,
      attempt: 7,
      remainingMs: 5_000,
    });
    expect(readRetryState({ retryData: data, retryCount: 2 })).toMatchObject({
      attempt: 3,
      settled: ['cmd-a'],
    });
    expect(readRetryState({ retryCount: 4 })).toEqual({ attempt: 4, remainingMs: RETENTION_MS });
  });
});

describe('retry policy', () => {
  const HOUR = 60 * 60 * 1000;

  it("assumes Forge's 24-hour window, and dead-letters once a retry would leave under 2 hours of it", () => {
    expect(readRetryState(undefined).remainingMs).toBe(24 * HOUR);
    // Exactly 2 hours left after the wait is still enough; a millisecond less is not.
    expect(mustDeadLetter(1, 2 * HOUR + 900_000, 900)).toBe(false);
    expect(mustDeadLetter(1, 2 * HOUR + 899_999, 900)).toBe(true);
    expect(mustDeadLetter(1, 24 * HOUR, 900)).toBe(false);
    expect(mustDeadLetter(39, 24 * HOUR, 1)).toBe(false);
    expect(mustDeadLetter(40, 24 * HOUR, 1)).toBe(true);
  });

  it('keeps the reason a delivery gave (up to 300 characters), and reads a longer one as no retry data', () => {
    expect(readRetryState({ retryData: { attempt: 2, reason: 'conflict' } })).toMatchObject({
      attempt: 2,
      reason: 'conflict',
    });
    expect(readRetryState({ retryData: { attempt: 2, reason: 'x'.repeat(300) } }).attempt).toBe(2);
    expect(readRetryState({ retryData: { attempt: 2, reason: 'x'.repeat(301) } }).attempt).toBe(0);
  });

  it("carries settled ids while retryData fits Forge's 4 KB, counting bytes, and drops the newest first", () => {
    expect(encodeRetryData({ attempt: 1 })).toEqual({ attempt: 1, settled: [] });
    const bytes = (data: object) => Buffer.byteLength(JSON.stringify(data));
    // Ids that fill the 3,500-byte budget exactly are all kept...
    const ids = Array.from({ length: 50 }, (_, i) => `cmd-${String(i).padStart(60, '0')}`);
    const fitting = ids.slice(0, 50);
    while (bytes({ attempt: 1, settled: fitting }) > 3500) fitting.pop();
    const last = fitting.length - 1;
    fitting[last] = fitting[last] + 'x'.repeat(3500 - bytes({ attempt: 1, settled: fitting }));
    expect(bytes({ attempt: 1, settled: fitting })).toBe(3500);
    expect(encodeRetryData({ attempt: 1, settled: [...fitting] }).settled).toEqual(fitting);
    // ...one byte more drops the last id, and only it.
    const over = [...fitting.slice(0, last), fitting[last] + 'y'];
    expect(encodeRetryData({ attempt: 1, settled: over }).settled).toEqual(fitting.slice(0, last));
    // A non-ASCII id counts its UTF-8 bytes, not its characters.
    const wide = encodeRetryData({ attempt: 1, settled: ['é'.repeat(1000), 'é'.repeat(1000)] });
    expect(wide.settled).toHaveLength(1);
    expect(bytes(wide)).toBeLessThanOrEqual(3500);
  });

  describe('with more than the budget besides the settled ids', () => {
    afterEach(() => vi.restoreAllMocks());

    it('drops every settled id and stops there', () => {
      // The handler cuts a reason to 300 characters; encoding still ends whatever it is handed. It
      // measures once per id it drops: a 100th measurement here means it would never stop.
      const byteLength = Buffer.byteLength.bind(Buffer);
      const measure = vi.spyOn(Buffer, 'byteLength').mockImplementation((...args) => {
        if (measure.mock.calls.length >= 100) throw new Error('still measuring');
        return byteLength(...args);
      });
      const reason = 'x'.repeat(4000);
      expect(encodeRetryData({ attempt: 1, settled: ['cmd-a', 'cmd-b'], reason })).toEqual({
        attempt: 1,
        settled: [],
        reason,
      });
    });
  });
});

describe('storage errors', () => {
  it('counts a 409, a failed condition or a key conflict as a conflict, and nothing else', () => {
    expect(isCommitConflict(kvsError(409, 'ANYTHING'))).toBe(true);
    expect(isCommitConflict(kvsError(400, 'CONDITIONAL_CHECK_FAILED'))).toBe(true);
    expect(isCommitConflict(kvsError(400, 'KEY_CONFLICT'))).toBe(true);
    expect(isCommitConflict(kvsError(400, 'INVALID_REQUEST'))).toBe(false);
    expect(isCommitConflict(kvsError(500, 'INTERNAL'))).toBe(false);
    expect(isCommitConflict(new Error('CONDITIONAL_CHECK_FAILED'))).toBe(false);
  });

  it('tells a write that lost to a conflict from one that failed', async () => {
    await expect(writeUnlessConflict(async () => undefined)).resolves.toBe(true);
    await expect(writeUnlessConflict(() => Promise.reject(kvsError(409, 'X')))).resolves.toBe(false);
    const failure = kvsError(503, 'UNAVAILABLE');
    await expect(writeUnlessConflict(() => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('names a storage error by code and status, anything else by its message', () => {
    expect(describeStorageError(kvsError(429, 'RATE_LIMITED'))).toBe('RATE_LIMITED (429)');
    // One that came with no HTTP status says so.
    expect(describeStorageError(kvsError(undefined as unknown as number, 'TIMED_OUT'))).toBe('TIMED_OUT (?)');
    expect(describeStorageError(new Error('socket hang up'))).toBe('socket hang up');
    expect(describeStorageError('plain')).toBe('plain');
  });
});
