// The console's views without HTTP: queued events as the runtime holds them, and issue summaries.
import { afterEach, describe, expect, it } from 'vitest';
import { queuesView } from '../../console/views/queues-view.js';
import { summarizeIssue } from '../../console/views/issue-summary.js';
import { eventContents } from '../../console/views/event-body.js';
import type { RunningApp } from '../browser/browser-harness.js';
import { startConsoleApp } from './console-fixture.js';
import { issueWriter, type IssueState } from '../../src/shared/issue-data/issue-writer.js';
import { emptyIssueState } from '../../src/shared/issue-data/issue-state.js';

let app: RunningApp | undefined;
afterEach(() => app?.close());

describe('queuesView', () => {
  it('lists an enqueued event as pending with its issue and command types, then nothing once delivered', async () => {
    app = await startConsoleApp();
    const { rt } = app;
    await rt.runAsApp(() =>
      issueWriter.enqueue([
        issueWriter.command(
          '10001',
          { type: 'checklist.add', payload: { itemId: 'a', text: 'A' } },
          { source: 'ui' },
        ),
        issueWriter.command(
          '10001',
          { type: 'activity.record', payload: { kind: 'updated', at: 1 } },
          { source: 'ui' },
        ),
      ]),
    );
    const view = queuesView(rt);
    expect(view.counts.pending + view.counts.inFlight).toBe(1);
    expect(view.events[0]).toMatchObject({
      queueName: 'issue-commands',
      issueIds: ['10001'],
      commandTypes: ['activity.record', 'checklist.add'],
      commands: 2,
      replay: false,
    });
    await rt.runUntilIdle();
    expect(queuesView(rt)).toMatchObject({ counts: { pending: 0, inFlight: 0 }, events: [] });
  });
});

describe('eventContents', () => {
  it('reads whatever it can of an unexpected body', () => {
    expect(eventContents({})).toEqual({ issueIds: [], commandTypes: [], commands: 0, replay: false });
    expect(
      eventContents({ commands: [null, 3, { issueId: 7 }, { issueId: '1', type: 'x' }], replay: true }),
    ).toEqual({
      issueIds: ['1'],
      commandTypes: ['x'],
      commands: 4,
      replay: true,
    });
  });
});

describe('summarizeIssue', () => {
  it('summarizes checklist, activity, external events and reports', () => {
    const stamp = { at: 1, id: 'c1' };
    const state: IssueState = {
      ...emptyIssueState(),
      checklist: {
        b: { added: true, removed: false, text: { value: 'Second', stamp }, rank: { value: 2, stamp } },
        a: {
          added: true,
          removed: false,
          text: { value: 'First', stamp },
          checked: { value: true, stamp },
          rank: { value: 1, stamp },
        },
        gone: { added: true, removed: true, text: { value: 'Removed', stamp } },
        early: { added: false, removed: false, text: { value: 'Edit before add', stamp } },
      },
      activity: {
        counts: { created: 1, updated: 4, commented: 2 },
        lastTransition: { value: { from: 'To Do', to: 'Done', at: 9 }, stamp },
        external: [{ eventId: 'e1', kind: 'deployment', environment: 'prod', status: 'succeeded', at: 8 }],
      },
      reports: {
        'time-in-status': {
          value: { runId: 'r1', computedAt: 7, timeInStatusMs: { 'To Do': 5, Done: 3 }, transitions: 1 },
          stamp,
        },
      },
    };
    expect(summarizeIssue(state)).toEqual({
      checklist: {
        total: 2,
        done: 1,
        items: [
          { itemId: 'a', text: 'First', checked: true },
          { itemId: 'b', text: 'Second', checked: false },
        ],
      },
      activity: {
        created: 1,
        updated: 4,
        commented: 2,
        lastTransition: { from: 'To Do', to: 'Done', at: 9 },
        external: [{ kind: 'deployment', environment: 'prod', status: 'succeeded', at: 8 }],
      },
      reports: [{ kind: 'time-in-status', runId: 'r1', computedAt: 7, transitions: 1, statuses: 2 }],
    });
  });

  it('reads a missing or partial state as empty, and shows a deleted issue', () => {
    expect(summarizeIssue(undefined).checklist.total).toBe(0);
    expect(summarizeIssue({ checklist: {} } as unknown as IssueState).activity.updated).toBe(0);
    expect(summarizeIssue({ ...emptyIssueState(), deletedAt: 5 }).deletedAt).toBe(5);
  });
});
