// The reducer: commands commute where the domain allows, and refusals are explicit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopesArb } from './arbitraries.js';
import {
  issueWriter,
  type IssueEnvelope,
  checklistView,
  type IssueState,
} from '../../src/shared/issue-data/issue-writer.js';

import { emptyIssueState } from '../../src/shared/issue-data/issue-state.js';

function fold(commands: IssueEnvelope[]): { state: IssueState; version: number } {
  let state = emptyIssueState();
  let version = 0;
  for (const cmd of commands) {
    const result = issueWriter.apply(state, cmd, version);
    if (result.ok) {
      state = result.state;
      version += 1;
    }
  }
  return { state, version };
}

/** What a person can see: arrival order must not change it. */
function visible(state: IssueState) {
  return {
    checklist: checklistView(state),
    counts: state.activity.counts,
    lastTransition: state.activity.lastTransition?.value,
    reports: Object.fromEntries(Object.entries(state.reports).map(([k, r]) => [k, r.value])),
  };
}

/** At most one add per item id: two different adds of one id are a real conflict, not an ordering. */
function oneAddPerItem(commands: IssueEnvelope[]): IssueEnvelope[] {
  const added = new Set<string>();
  return commands.filter((c) => {
    if (c.type !== 'checklist.add') return true;
    if (added.has(c.payload.itemId)) return false;
    added.add(c.payload.itemId);
    return true;
  });
}

describe('reducer', () => {
  it('gives the same visible state whatever order the commands arrive in', () => {
    fc.assert(
      fc.property(
        envelopesArb()
          .map(oneAddPerItem)
          .chain((cmds) =>
            fc.tuple(fc.constant(cmds), fc.shuffledSubarray(cmds, { minLength: cmds.length })),
          ),
        ([inOrder, shuffled]) => {
          expect(visible(fold(shuffled).state)).toEqual(visible(fold(inOrder).state));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('counts every activity command once', () => {
    fc.assert(
      fc.property(envelopesArb(), (cmds) => {
        const { state } = fold(cmds);
        for (const kind of ['created', 'updated', 'commented'] as const) {
          const expected = cmds.filter((c) => c.type === 'activity.record' && c.payload.kind === kind).length;
          expect(state.activity.counts[kind]).toBe(expected);
        }
      }),
      { seed: 7 },
    );
  });

  it('refuses a command made from a stale view, naming both versions', () => {
    const base = { schemaVersion: 2 as const, issueId: '10001', issuedAt: 1, source: 'ui' as const };
    const add = {
      ...base,
      commandId: 'cmd-add-1',
      type: 'checklist.add' as const,
      payload: { itemId: 'a', text: 'A' },
    };
    const stale = {
      ...base,
      commandId: 'cmd-chk-1',
      expectedVersion: 0,
      type: 'checklist.check' as const,
      payload: { itemId: 'a', checked: true },
    };
    const first = issueWriter.apply(emptyIssueState(), add, 0);
    expect(first.ok).toBe(true);
    const second = issueWriter.apply(first.ok ? first.state : emptyIssueState(), stale, 1);
    expect(second).toEqual({
      ok: false,
      reason: expect.stringContaining('stale view: the issue is at version 1'),
    });
    expect(
      issueWriter.apply(first.ok ? first.state : emptyIssueState(), { ...stale, expectedVersion: 1 }, 1).ok,
    ).toBe(true);
  });

  it('keeps a removed item removed when an edit or a re-add arrives late', () => {
    const base = { schemaVersion: 2 as const, issueId: '10001', source: 'ui' as const };
    const cmds: IssueEnvelope[] = [
      { ...base, commandId: 'c1-remove', issuedAt: 3, type: 'checklist.remove', payload: { itemId: 'a' } },
      {
        ...base,
        commandId: 'c2-add',
        issuedAt: 1,
        type: 'checklist.add',
        payload: { itemId: 'a', text: 'A' },
      },
      {
        ...base,
        commandId: 'c3-rename',
        issuedAt: 2,
        type: 'checklist.rename',
        payload: { itemId: 'a', text: 'B' },
      },
    ];
    expect(checklistView(fold(cmds).state)).toEqual([]);
  });

  it('keeps one copy of an external event sent twice', () => {
    const base = {
      schemaVersion: 2 as const,
      issueId: '10001',
      source: 'external-webhook' as const,
      issuedAt: 1,
    };
    const payload = {
      eventId: 'deploy-1',
      kind: 'deployment' as const,
      environment: 'prod',
      status: 'succeeded' as const,
      at: 5,
    };
    const cmds: IssueEnvelope[] = [
      { ...base, commandId: 'cmd-ext-1', type: 'activity.external', payload },
      { ...base, commandId: 'cmd-ext-2', type: 'activity.external', payload },
    ];
    expect(fold(cmds).state.activity.external).toHaveLength(1);
  });
});
