// What a redelivery knows of earlier ones (retryData and Forge's retry context), and how a storage
// error is read: which failures count as a conflict, and the one line that names it in a reason.
import { ForgeKvsAPIError } from '@forge/kvs';
import { describe, expect, it } from 'vitest';
import { readRetryState, RETENTION_MS } from '../../src/shared/writer/consumer/retry-policy.js';
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
    expect(describeStorageError(new Error('socket hang up'))).toBe('socket hang up');
    expect(describeStorageError('plain')).toBe('plain');
  });
});
