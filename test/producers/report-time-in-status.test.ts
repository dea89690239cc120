// The time-in-status metric on hand-built changelogs: its boundaries (no transitions, a change at
// the job's start, changes after it, an issue newer than the job), unsorted histories, and
// histories that change other fields or several statuses at once.
import { describe, expect, it } from 'vitest';
import { timeInStatus, type ChangelogHistory } from '../../src/producers/reports/time-in-status.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

function change(id: string, atHours: number, from: string, to: string): ChangelogHistory {
  return { id, created: T0 + atHours * H, items: [{ field: 'status', fromString: from, toString: to }] };
}

describe('timeInStatus', () => {
  it('puts all the time in the current status when there are no transitions', () => {
    expect(timeInStatus({ createdAt: T0, currentStatus: 'To Do', histories: [] }, T0 + 5 * H)).toEqual({
      timeInStatusMs: { 'To Do': 5 * H },
      transitions: 0,
    });
  });

  it('splits the time at each transition, up to the job start', () => {
    const histories = [change('1', 2, 'To Do', 'In Progress'), change('2', 5, 'In Progress', 'Done')];
    expect(timeInStatus({ createdAt: T0, currentStatus: 'Done', histories }, T0 + 9 * H)).toEqual({
      timeInStatusMs: { 'To Do': 2 * H, 'In Progress': 3 * H, Done: 4 * H },
      transitions: 2,
    });
  });

  it('adds up repeated visits to a status', () => {
    const histories = [
      change('1', 1, 'To Do', 'In Progress'),
      change('2', 3, 'In Progress', 'To Do'),
      change('3', 4, 'To Do', 'In Progress'),
    ];
    expect(timeInStatus({ createdAt: T0, currentStatus: 'In Progress', histories }, T0 + 10 * H)).toEqual({
      timeInStatusMs: { 'To Do': 2 * H, 'In Progress': 8 * H },
      transitions: 3,
    });
  });

  it('counts a transition exactly at the job start, with 0 ms in its target status', () => {
    const histories = [change('1', 4, 'To Do', 'Done')];
    expect(timeInStatus({ createdAt: T0, currentStatus: 'Done', histories }, T0 + 4 * H)).toEqual({
      timeInStatusMs: { 'To Do': 4 * H, Done: 0 },
      transitions: 1,
    });
  });

  it('ignores transitions after the job start, and takes the status from before them', () => {
    const histories = [change('1', 2, 'To Do', 'In Progress'), change('2', 8, 'In Progress', 'Done')];
    // The issue is Done now, but was In Progress when the job started.
    expect(timeInStatus({ createdAt: T0, currentStatus: 'Done', histories }, T0 + 6 * H)).toEqual({
      timeInStatusMs: { 'To Do': 2 * H, 'In Progress': 4 * H },
      transitions: 1,
    });
    const onlyLater = [change('1', 8, 'Backlog', 'Done')];
    expect(timeInStatus({ createdAt: T0, currentStatus: 'Done', histories: onlyLater }, T0 + 6 * H)).toEqual({
      timeInStatusMs: { Backlog: 6 * H },
      transitions: 0,
    });
  });

  it('gives an issue created after the job start no metrics; one created at it, 0 ms', () => {
    expect(timeInStatus({ createdAt: T0 + H, currentStatus: 'To Do', histories: [] }, T0)).toEqual({
      timeInStatusMs: {},
      transitions: 0,
    });
    expect(timeInStatus({ createdAt: T0, currentStatus: 'To Do', histories: [] }, T0)).toEqual({
      timeInStatusMs: { 'To Do': 0 },
      transitions: 0,
    });
  });

  it('sorts unsorted histories (Jira embeds them newest first)', () => {
    const sorted = [
      change('1', 1, 'To Do', 'In Progress'),
      change('2', 3, 'In Progress', 'In Review'),
      change('3', 6, 'In Review', 'Done'),
    ];
    const asOf = T0 + 10 * H;
    const expected = timeInStatus({ createdAt: T0, currentStatus: 'Done', histories: sorted }, asOf);
    expect(expected.timeInStatusMs).toEqual({
      'To Do': H,
      'In Progress': 2 * H,
      'In Review': 3 * H,
      Done: 4 * H,
    });
    for (const order of [
      [2, 1, 0],
      [1, 2, 0],
      [0, 2, 1],
    ]) {
      const histories = order.map((i) => sorted[i]!);
      expect(timeInStatus({ createdAt: T0, currentStatus: 'Done', histories }, asOf)).toEqual(expected);
    }
  });

  it('orders changes at the same instant by history id, numerically', () => {
    const histories = [change('10', 2, 'In Progress', 'Done'), change('9', 2, 'To Do', 'In Progress')];
    expect(timeInStatus({ createdAt: T0, currentStatus: 'Done', histories }, T0 + 3 * H)).toEqual({
      timeInStatusMs: { 'To Do': 2 * H, 'In Progress': 0, Done: H },
      transitions: 2,
    });
  });

  it('skips changes to other fields and takes a change dated before creation as at creation', () => {
    const histories: ChangelogHistory[] = [
      { id: '1', created: T0 + H, items: [{ field: 'assignee', fromString: null, toString: 'Ada' }] },
      {
        id: '2',
        created: T0 + 2 * H,
        items: [
          { field: 'priority', fromString: 'Low', toString: 'High' },
          { field: 'Status', fieldId: 'status', fromString: 'To Do', toString: 'Done' },
        ],
      },
    ];
    expect(timeInStatus({ createdAt: T0, currentStatus: 'Done', histories }, T0 + 3 * H)).toEqual({
      timeInStatusMs: { 'To Do': 2 * H, Done: H },
      transitions: 1,
    });
    const early = [change('1', -5, 'To Do', 'Done')];
    expect(timeInStatus({ createdAt: T0, currentStatus: 'Done', histories: early }, T0 + H)).toEqual({
      timeInStatusMs: { 'To Do': 0, Done: H },
      transitions: 1,
    });
  });
});
