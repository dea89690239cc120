// Claimed command ids (src/shared/writer/id-claims.ts, `enqueue(..., { claimIds: true })`): a
// different command under a used id is refused with a message that names the id and says what to
// do, and a claim that fails for another reason (storage trouble, nothing claimed) fails the
// enqueue with that storage error, not as a reused id; neither pushes anything.
import { ForgeKvsAPIError, kvs } from '@forge/kvs';
import { describe, expect, it, vi } from 'vitest';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { appPerTest, recordActivity } from './harness.js';

describe('claiming command ids', () => {
  const app = appPerTest();

  const enqueueClaimed = (cmd: ReturnType<typeof recordActivity>) =>
    app()
      .runAsApp(() => issueWriter.enqueue(cmd, { claimIds: true }))
      .catch((e: unknown) => e);
  const pushed = () => app().metered()['events.pushed'] ?? 0;

  it('refuses a different command under a claimed id, naming the id and what to do instead', async () => {
    const first = recordActivity('10001');
    expect(await enqueueClaimed(first)).toMatchObject({ commandIds: [first.commandId] });
    const other = recordActivity('10001', {
      commandId: first.commandId,
      payload: { kind: 'updated', at: 2 },
    });
    const before = pushed();
    expect(await enqueueClaimed(other)).toMatchObject({
      code: 'command-id-reused',
      message: `command id ${first.commandId} was already used for a different command; use a new id for a new change`,
    });
    expect(pushed()).toBe(before);
  });

  it('fails with the storage error when a claim cannot be written and the id is not taken', async () => {
    const unavailable = new ForgeKvsAPIError(
      { status: 503, statusText: 'Service Unavailable' },
      { code: 'SERVICE_UNAVAILABLE', message: 'try again later' },
    );
    const set = vi.spyOn(kvs, 'set').mockRejectedValueOnce(unavailable);
    const cmd = recordActivity('10001');
    expect(await enqueueClaimed(cmd)).toBe(unavailable);
    expect(set).toHaveBeenCalledTimes(1);
    expect(pushed()).toBe(0);
    // Nothing was claimed: the same command goes through once storage answers again.
    expect(await enqueueClaimed(cmd)).toMatchObject({ commandIds: [cmd.commandId] });
    expect(pushed()).toBe(1);
  });
});
