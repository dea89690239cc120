// A Jira trigger whose pushes fail never drops the event: it asks Forge to retry (returns an
// InvocationError, with backoff), re-pushes only what is not on the queue yet, and on its last
// allowed retry keeps the commands as open, replayable dead letters. Forge retries a product-event
// trigger at most 4 times, and only when it returns an InvocationError; a thrown error is not
// retried (local-runtime/functions/product-events.ts, docs: events-reference/product_events).
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { commandsForJiraEvent, jiraIssueEvent } from '../../src/producers/jira-event.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { startApp, storedIssue, storedReceipt } from './webhook-harness.js';

const statusChange = {
  id: '20001',
  items: [{ field: 'status', fieldId: 'status', fromString: 'To Do', toString: 'In Progress' }],
};

/** The command ids the trigger derives from the event as Forge delivered it. */
function idsOf(payload: Record<string, unknown>): string[] {
  return commandsForJiraEvent(jiraIssueEvent.parse(payload), 0).map((c) => c.commandId);
}

describe('Jira trigger when pushes fail', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  const attempts = () => rt.modules.triggerAttempts();
  const openLetters = () =>
    rt.runAsApp(async () =>
      (await issueWriter.deadLetters.list('open')).deadLetters.map((l) => l.deadLetterId).sort(),
    );

  it('asks Forge to retry, and the event applies once the pushes work again', async () => {
    rt = await startApp();
    rt.setFaults({ push: { serverError: 1 } });
    const report = await rt.fireProductEvent('avi:jira:updated:issue', {
      issue: { key: 'APP-1' },
      atlassianId: 'user-admin',
      changelog: statusChange,
    });
    // The first delivery failed to push; the platform will deliver it again.
    expect(report.deliveries[0]?.outcome.status).toBe('returned');
    expect(attempts()[0]).toMatchObject({ attempt: 0, next: 'retry' });
    rt.setFaults({});
    await rt.runUntilIdle();

    const ids = idsOf(report.payload);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(storedReceipt(rt, id)?.status).toBe('applied');
    expect(storedIssue(rt, '10001')).toMatchObject({ version: 2 });
    expect(attempts().map((a) => a.next)).toEqual(['retry', 'done']);
    expect(attempts()[1]?.retryContext).toMatchObject({
      retryCount: 1,
      retryReason: 'FUNCTION_RETRY_REQUEST',
    });
  });

  it('keeps the commands as open dead letters when the last retry fails too, and a replay applies them', async () => {
    rt = await startApp();
    rt.setFaults({ push: { rateLimited: 1 } });
    const report = await rt.fireProductEvent('avi:jira:commented:issue', {
      issue: { key: 'APP-2' },
      atlassianId: 'user-viewer',
      comment: { id: '30001' },
    });
    await rt.runUntilIdle();
    // The first delivery and Forge's 4 retries, the last of which parked the commands.
    expect(attempts().map((a) => a.next)).toEqual(['retry', 'retry', 'retry', 'retry', 'done']);
    expect(attempts().at(-1)?.retryContext?.retryCount).toBe(4);
    // A rate-limited push waits out the minute of Forge's event quota before the next try.
    for (const [i, attempt] of attempts().slice(1).entries()) {
      expect(attempt.retryContext?.retryReason).toBe('FUNCTION_UPSTREAM_RATE_LIMITED');
      expect(attempt.at - attempts()[i]!.at).toBeGreaterThanOrEqual(60_000);
    }
    expect(rt.metered()['triggers.gaveUp'] ?? 0).toBe(0);

    const ids = idsOf(report.payload);
    expect(await openLetters()).toEqual([...ids].sort());
    expect(storedReceipt(rt, ids[0]!)?.status).toBe('dead-lettered');
    expect(storedIssue(rt, '10002')).toBeUndefined();

    rt.setFaults({});
    await rt.runAsApp(() => issueWriter.deadLetters.replay(ids));
    await rt.runUntilIdle();
    expect(storedReceipt(rt, ids[0]!)?.status).toBe('applied');
    expect(storedIssue(rt, '10002')?.state.activity.counts.commented).toBe(1);
    expect(await openLetters()).toEqual([]);
  });

  it('loses no event under random push faults: every command ends applied or parked, then replays', async () => {
    rt = await startApp(29);
    rt.setFaults({ push: { serverError: 0.8, rateLimited: 0.5 } });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const report = await rt.fireProductEvent('avi:jira:commented:issue', {
        issue: { key: i % 2 === 0 ? 'APP-1' : 'APP-2' },
        atlassianId: 'user-viewer',
        comment: { id: String(40_000 + i) },
      });
      ids.push(...idsOf(report.payload));
    }
    await rt.runUntilIdle();
    rt.setFaults({});
    const statuses = ids.map((id) => storedReceipt(rt, id)?.status);
    // Nothing is lost: each command is applied, or waits as an open dead letter.
    expect(statuses.every((s) => s === 'applied' || s === 'dead-lettered')).toBe(true);
    const parked = await openLetters();
    expect(parked).toEqual(ids.filter((_, i) => statuses[i] === 'dead-lettered').sort());
    // Not vacuous: the faults made the trigger retry, and some events ran out of retries.
    expect(attempts().filter((a) => a.next === 'retry').length).toBeGreaterThan(5);
    expect(parked.length).toBeGreaterThan(0);
    expect(parked.length).toBeLessThan(ids.length);

    if (parked.length > 0) await rt.runAsApp(() => issueWriter.deadLetters.replay(parked));
    await rt.runUntilIdle();
    expect(ids.map((id) => storedReceipt(rt, id)?.status)).toEqual(ids.map(() => 'applied'));
    const commented =
      (storedIssue(rt, '10001')?.state.activity.counts.commented ?? 0) +
      (storedIssue(rt, '10002')?.state.activity.counts.commented ?? 0);
    expect(commented).toBe(12);
  });

  it('does not ask to retry an event it cannot read', async () => {
    rt = await startApp();
    rt.setFaults({ push: { serverError: 1 } });
    await rt.fireProductEvent('avi:jira:updated:issue', { issue: { id: 'not-a-number', key: 'APP-1' } });
    await rt.runUntilIdle();
    expect(attempts().map((a) => a.next)).toEqual(['done']);
    expect(rt.metered()['events.pushRequests'] ?? 0).toBe(0);
  });
});
