// Jira product events through the real trigger: each event type becomes the right commands, a
// repeated delivery applies once, the app's own events and unreadable payloads enqueue nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { commandsForJiraEvent, jiraIssueEvent } from '../../src/producers/jira-event.js';
import { pushes, receiptsFor, startApp, storedIssue } from './webhook-harness.js';

const statusChange = {
  id: '20001',
  items: [
    { field: 'priority', fromString: 'Low', toString: 'High' },
    { field: 'status', fieldId: 'status', fromString: 'To Do', toString: 'In Progress' },
  ],
};

describe('Jira trigger', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('maps created, updated, commented and deleted to commands and state', async () => {
    rt = await startApp();
    await rt.fireProductEvent('avi:jira:created:issue', {
      issue: { key: 'APP-1' },
      atlassianId: 'user-admin',
    });
    await rt.fireProductEvent('avi:jira:commented:issue', {
      issue: { key: 'APP-1' },
      atlassianId: 'user-viewer',
      comment: { id: '30001' },
    });
    await rt.fireProductEvent('avi:jira:updated:issue', {
      issue: { key: 'APP-1' },
      atlassianId: 'user-admin',
      timestamp: '2026-02-01T10:00:00.000Z',
      changelog: statusChange,
    });
    await rt.fireProductEvent('avi:jira:updated:issue', {
      issue: { key: 'APP-2' },
      atlassianId: 'user-admin',
      changelog: { id: '20002', items: [{ field: 'summary', fromString: 'a', toString: 'b' }] },
    });
    await rt.runUntilIdle();

    const app1 = storedIssue(rt, '10001')!;
    expect(app1.state.activity.counts).toEqual({ created: 1, updated: 1, commented: 1 });
    expect(app1.state.activity.lastTransition?.value).toEqual({
      from: 'To Do',
      to: 'In Progress',
      at: Date.parse('2026-02-01T10:00:00.000Z'),
    });
    expect(app1.version).toBe(4); // created, commented, updated, transition
    // An update without a status change records activity and no transition.
    const app2 = storedIssue(rt, '10002')!;
    expect(app2.state.activity.counts).toEqual({ created: 0, updated: 1, commented: 0 });
    expect(app2.state.activity.lastTransition).toBeUndefined();
    expect(
      receiptsFor(rt, '10001').every((r) => r.status === 'applied' && r.commandId.startsWith('jira-')),
    ).toBe(true);

    await rt.fireProductEvent('avi:jira:deleted:issue', {
      issue: { key: 'APP-1' },
      atlassianId: 'user-admin',
    });
    await rt.runUntilIdle();
    const deleted = storedIssue(rt, '10001')!;
    expect(deleted.state.deletedAt).toBeTypeOf('number');
    expect(deleted.state.activity.counts).toEqual({ created: 0, updated: 0, commented: 0 });
    expect(deleted.state.activity.lastTransition).toBeUndefined();
  });

  it('applies a repeated Jira delivery once', async () => {
    rt = await startApp();
    const event = {
      issue: { key: 'APP-1' },
      atlassianId: 'user-admin',
      timestamp: '2026-02-01T10:00:00.000Z',
      changelog: statusChange,
    };
    await rt.fireProductEvent('avi:jira:updated:issue', event);
    await rt.advance(60_000); // Jira re-sends a minute later, the same event
    await rt.fireProductEvent('avi:jira:updated:issue', event);
    await rt.runUntilIdle();
    await rt.fireProductEvent('avi:jira:updated:issue', event); // and again after it settled
    await rt.runUntilIdle();

    expect(pushes(rt)).toBe(3);
    const record = storedIssue(rt, '10001')!;
    expect(record.version).toBe(2);
    expect(record.state.activity.counts.updated).toBe(1);
    expect(receiptsFor(rt, '10001')).toHaveLength(2);
  });

  it('gives different events different ids, and the same event the same ids', () => {
    const parse = (raw: unknown) => jiraIssueEvent.parse(raw);
    const base = {
      eventType: 'avi:jira:updated:issue',
      issue: { id: '10001' },
      timestamp: '2026-02-01T10:00:00.000Z',
      changelog: statusChange,
    };
    const ids = (raw: unknown, now: number) => commandsForJiraEvent(parse(raw), now).map((c) => c.commandId);
    expect(ids(base, 1)).toEqual(ids(base, 2));
    expect(ids(base, 1)).toHaveLength(2);
    expect(ids({ ...base, changelog: { ...statusChange, id: '20003' } }, 1)).not.toEqual(ids(base, 1));
    expect(ids({ ...base, issue: { id: '10002' } }, 1)).not.toEqual(ids(base, 1));
    expect(ids({ ...base, eventType: 'avi:jira:commented:issue' }, 1)[0]).not.toEqual(ids(base, 1)[0]);
  });

  it("ignores the app's own events, also without the manifest's ignoreSelf filter", async () => {
    rt = await startApp();
    const report = await rt.fireProductEvent('avi:jira:updated:issue', {
      issue: { key: 'APP-1' },
      atlassianId: 'app-account-id',
    });
    expect(report.deliveries[0]?.outcome.status).toBe('skipped');
    // Called directly, as if the filter were missing: the handler itself recognises the app.
    const { handler } = await import('../../src/producers/jira-trigger.js');
    await rt.runAsApp(() =>
      handler({
        eventType: 'avi:jira:updated:issue',
        issue: { id: '10001', key: 'APP-1' },
        atlassianId: 'app-account-id',
        timestamp: new Date(rt.clock.now()).toISOString(),
      }),
    );
    await rt.runUntilIdle();
    expect(pushes(rt)).toBe(0);
    expect(storedIssue(rt, '10001')).toBeUndefined();
  });

  it('ignores payloads that do not validate, enqueueing nothing', async () => {
    rt = await startApp();
    const bad: Array<Record<string, unknown>> = [
      { issue: { key: 'NOPE-1' } }, // unknown to Jira: no id filled in
      { issue: { id: 'not-a-number', key: 'APP-1' } },
      { issue: { id: '10001' }, changelog: { items: 'status' } },
      { issue: { id: '10001' }, changelog: { items: [{ fromString: 'a' }] } },
      { issue: { id: '10001' }, atlassianId: 42 },
      {},
    ];
    for (const payload of bad) {
      const report = await rt.fireProductEvent('avi:jira:updated:issue', payload);
      expect(report.deliveries[0]?.outcome.status).toBe('returned');
    }
    const { handler } = await import('../../src/producers/jira-trigger.js');
    for (const raw of [
      null,
      'text',
      42,
      [],
      { eventType: 'avi:jira:viewed:issue', issue: { id: '10001' } },
    ]) {
      await rt.runAsApp(() => handler(raw));
    }
    await rt.runUntilIdle();
    expect(pushes(rt)).toBe(0);
    expect(rt.storage.listEntity('issue-state')).toHaveLength(0);
  });
});
