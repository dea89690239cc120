// The ways a command could be lost or stranded, each reproduced: a replay that fails again, a
// consumer that crashes on every delivery, a different command reusing a settled id, a producer
// whose pushes keep failing. Every command still ends applied, rejected or dead-lettered, and a
// dead-lettered one stays replayable.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { WriterError } from '../../src/shared/writer/index.js';
import { envelopeFor, recordActivity, startApp, storedIssue, storedReceipt } from './harness.js';

const HOUR = 60 * 60 * 1000;

describe('loss paths', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  const openLetters = () =>
    rt.runAsApp(async () =>
      (await issueWriter.deadLetters.list('open')).deadLetters.map((l) => l.deadLetterId),
    );

  it('keeps a command replayable after its replay fails again, and applies it on the next replay', async () => {
    rt = await startApp({ events: { retentionMs: 3 * HOUR } });
    const cmd = recordActivity('10001');
    rt.setFaults({ kvs: { serverError: 0.97 } });
    await rt.runAsApp(() => issueWriter.enqueue(cmd));
    await rt.runUntilIdle();
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');
    rt.setFaults({});
    expect(await openLetters()).toEqual([cmd.commandId]);

    // The replay runs while storage fails again, long enough to be dead-lettered a second time.
    await rt.runAsApp(() => issueWriter.deadLetters.replay([cmd.commandId]));
    rt.setFaults({ kvs: { serverError: 0.97 } });
    await rt.runUntilIdle();
    rt.setFaults({});
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');
    expect(await openLetters()).toEqual([cmd.commandId]);

    await rt.runAsApp(() => issueWriter.deadLetters.replay([cmd.commandId]));
    await rt.runUntilIdle();
    expect(storedReceipt(rt, cmd.commandId)).toMatchObject({ status: 'applied', version: 1 });
    expect(storedIssue(rt, '10001')?.state.activity.counts.updated).toBe(1);
    expect(await openLetters()).toEqual([]);
    // Replaying what was applied is refused: nothing is waiting.
    await expect(rt.runAsApp(() => issueWriter.deadLetters.replay([cmd.commandId]))).rejects.toMatchObject({
      code: 'dead-letter-not-open',
    });
  });

  it('lets a replay whose event never ran be replayed again, applying the command once', async () => {
    rt = await startApp({ events: { retentionMs: 3 * HOUR } });
    const cmd = recordActivity('10001');
    rt.setFaults({ kvs: { serverError: 0.97 } });
    await rt.runAsApp(() => issueWriter.enqueue(cmd));
    await rt.runUntilIdle();
    rt.setFaults({});
    // Two replays in a row (a double click, or a retry after a lost answer): one effect.
    await rt.runAsApp(() => issueWriter.deadLetters.replay([cmd.commandId]));
    await rt.runAsApp(() => issueWriter.deadLetters.replay([cmd.commandId]));
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10001')).toMatchObject({ version: 1 });
  });

  it('dead-letters a command whose consumer crashes on every delivery, long before retention ends', async () => {
    rt = await startApp({
      faults: { crash: { probability: 1, afterStorageCalls: [1, 1], kinds: ['consumer'] } },
    });
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue(cmd));
    await rt.advance(18 * HOUR);
    rt.setFaults({});
    expect(storedReceipt(rt, cmd.commandId)).toMatchObject({
      status: 'dead-lettered',
      reason: expect.stringMatching(/^delivered \d+ times without settling/),
    });
    expect(await openLetters()).toEqual([cmd.commandId]);
    await rt.runUntilIdle();
    expect(rt.metered()['events.dropped']).toBe(0);
  });

  it('records a different command that reuses a settled id, and never applies it', async () => {
    rt = await startApp();
    const first = envelopeFor('10001', { type: 'checklist.add', payload: { itemId: 'a', text: 'First' } });
    await rt.runAsApp(() => issueWriter.enqueue(first));
    await rt.runUntilIdle();
    const other = envelopeFor(
      '10001',
      { type: 'checklist.add', payload: { itemId: 'b', text: 'Other' } },
      { commandId: first.commandId },
    );
    await rt.runAsApp(() => issueWriter.enqueue(other));
    await rt.runUntilIdle();
    expect(Object.keys(storedIssue(rt, '10001')!.state.checklist)).toEqual(['a']);
    const malformed = await rt.runAsApp(() => issueWriter.deadLetters.list('malformed'));
    expect(malformed.deadLetters).toMatchObject([
      {
        reason: `command id ${first.commandId} was already used for a different command; this one was not applied`,
      },
    ]);
  });

  it('refuses a reused id at enqueue when ids are claimed, and lets a retry of the same command pass', async () => {
    rt = await startApp();
    const first = envelopeFor('10001', { type: 'checklist.add', payload: { itemId: 'a', text: 'First' } });
    await rt.runAsApp(() => issueWriter.enqueue(first, { claimIds: true }));
    await rt.runAsApp(() => issueWriter.enqueue(first, { claimIds: true })); // a retry: passes
    const other = envelopeFor(
      '10001',
      { type: 'checklist.add', payload: { itemId: 'b', text: 'Other' } },
      { commandId: first.commandId },
    );
    const pushedBefore = rt.metered()['events.pushed'];
    const refused = await rt
      .runAsApp(() => issueWriter.enqueue(other, { claimIds: true }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WriterError);
    expect(refused).toMatchObject({ code: 'command-id-reused', retryable: false });
    expect(rt.metered()['events.pushed']).toBe(pushedBefore);
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10001')).toMatchObject({ version: 1 });
  });

  it('keeps commands a producer could not push as open dead letters, replayable', async () => {
    rt = await startApp();
    const cmds = [recordActivity('10001'), recordActivity('10002')];
    await rt.runAsApp(() => issueWriter.deadLetters.park(cmds, 'pushes kept failing: rate limited'));
    expect((await openLetters()).sort()).toEqual(cmds.map((c) => c.commandId).sort());
    expect(storedReceipt(rt, cmds[0]!.commandId)).toMatchObject({ status: 'dead-lettered' });
    await rt.runAsApp(() => issueWriter.deadLetters.replay(cmds.map((c) => c.commandId)));
    await rt.runUntilIdle();
    expect(cmds.map((c) => storedReceipt(rt, c.commandId)?.status)).toEqual(['applied', 'applied']);
  });

  it('hands its commands to a new event when storage refuses the dead letter until the window closes', async () => {
    // npm run sim -- --seed 6817 (at eee0a28): a fan-out's last commands vanished with their
    // event, which spent its whole window failing to write their dead letters through a storm.
    rt = await startApp();
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue(cmd, { coalesce: false }));
    rt.setFaults({ kvs: { rateLimited: 1 } });
    await rt.advance(25 * HOUR); // the first event's 24 h window has closed
    expect(storedReceipt(rt, cmd.commandId)).toBeUndefined();
    rt.setFaults({});
    await rt.runUntilIdle();
    expect(storedReceipt(rt, cmd.commandId)).toMatchObject({ status: 'applied', version: 1 });
    expect(storedIssue(rt, '10001')?.state.activity.counts.updated).toBe(1);
    expect(rt.metered()['events.dropped']).toBe(0);
    expect(rt.metered()['events.pushed']).toBe(2); // the enqueue, and one hand-off
  });
});
