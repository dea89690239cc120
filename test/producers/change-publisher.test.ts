// The consumer's Realtime announcement of one commit, with @forge/realtime answering as told: what
// it publishes (at most 50 changes listed), and that every failure (a token not signed, a publish
// refused or throwing) is logged with its reason and never thrown. The wire itself is covered in
// realtime-changes.test.ts against the local runtime.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const realtime = vi.hoisted(() => ({
  signRealtimeToken: vi.fn(),
  publishGlobal: vi.fn(),
}));
vi.mock('@forge/realtime', () => realtime);

const { publishCommit } = await import('../../src/consumer/change-publisher.js');
type Commit = Parameters<typeof publishCommit>[0];

function commit(count: number): Commit {
  return {
    partitionId: '10001',
    version: 7,
    applied: Array.from({ length: count }, (_, i) => ({
      version: i + 1,
      command: {
        commandId: `cmd-${i}`,
        type: i === 0 ? 'activity.record' : 'checklist.add',
        payload: i === 0 ? { kind: 'updated', at: 1 } : { itemId: `item-${i}`, text: 'x' },
      },
    })),
  } as unknown as Commit;
}

describe('publishCommit', () => {
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    vi.spyOn(console, 'warn').mockImplementation((message: string) => void warnings.push(message));
    realtime.signRealtimeToken.mockReset().mockResolvedValue({ token: 'tok', expiresAt: 123 });
    realtime.publishGlobal.mockReset().mockResolvedValue({ eventId: 'e1' });
  });
  afterEach(() => vi.restoreAllMocks());

  it("publishes the version and each change (its item when it has one) on the issue's channel with a publish-only token", async () => {
    await publishCommit(commit(2));
    expect(realtime.signRealtimeToken).toHaveBeenCalledWith('issue-changes-10001', { issueId: '10001' }, [
      'publish',
    ]);
    expect(realtime.publishGlobal).toHaveBeenCalledWith(
      'issue-changes-10001',
      {
        issueId: '10001',
        version: 7,
        changes: [
          { commandId: 'cmd-0', type: 'activity.record' },
          { commandId: 'cmd-1', type: 'checklist.add', itemId: 'item-1' },
        ],
      },
      { token: 'tok' },
    );
    expect(warnings).toEqual([]);
  });

  it('lists up to 50 changes; past that, only the version', async () => {
    await publishCommit(commit(50));
    expect(realtime.publishGlobal.mock.calls[0]![1].changes).toHaveLength(50);
    await publishCommit(commit(51));
    expect(realtime.publishGlobal.mock.calls[1]![1]).toEqual({ issueId: '10001', version: 7, changes: [] });
  });

  it.each([
    ['no token', { token: undefined, expiresAt: 1, errors: [{ message: 'not allowed' }] }, 'not allowed'],
    ['no expiry', { token: 'tok', expiresAt: null, errors: [] }, 'no reason given'],
    ['no errors listed', { token: '', expiresAt: 1 }, 'no reason given'],
    ['an error without a message', { token: '', expiresAt: 1, errors: [{ code: 'X' }] }, 'no reason given'],
  ])('publishes nothing when the token is not signed (%s), and logs why', async (_, signed, why) => {
    realtime.signRealtimeToken.mockResolvedValue(signed);
    await publishCommit(commit(1));
    expect(realtime.publishGlobal).not.toHaveBeenCalled();
    expect(warnings).toEqual([`Realtime token for issue 10001 not signed: ${why}`]);
  });

  it('logs a refused publish with its reason, and one that throws, never throwing itself', async () => {
    realtime.publishGlobal.mockResolvedValue({ eventId: null, errors: [{ message: 'channel closed' }] });
    await publishCommit(commit(1));
    realtime.publishGlobal.mockResolvedValue({ eventId: null, errors: [] });
    await publishCommit(commit(1));
    realtime.publishGlobal.mockRejectedValue(new Error('socket hang up'));
    await publishCommit(commit(1));
    realtime.publishGlobal.mockRejectedValue('plain');
    await expect(publishCommit(commit(1))).resolves.toBeUndefined();
    expect(warnings).toEqual([
      'Realtime publish for issue 10001 failed: channel closed',
      'Realtime publish for issue 10001 failed: socket hang up',
      'Realtime publish for issue 10001 failed: plain',
    ]);
  });
});
