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

/**
 * Commands as producers send them: an item's own commands come after its add (the panel edits only
 * what it shows), and at most one add per item id. Items and activity interleave freely.
 */
function causal(commands: IssueEnvelope[]): IssueEnvelope[] {
  const added = new Set<string>();
  return commands.filter((c) => {
    if (!c.type.startsWith('checklist.')) return true;
    const { itemId } = c.payload as { itemId: string };
    if (c.type === 'checklist.add') {
      if (added.has(itemId)) return false;
      added.add(itemId);
      return true;
    }
    return added.has(itemId);
  });
}

/** Another order in which the same commands can arrive: any, as long as each item's own stay in order. */
function interleaving(commands: IssueEnvelope[], keys: number[]): IssueEnvelope[] {
  const lanes = new Map<string, IssueEnvelope[]>();
  commands.forEach((c, i) => {
    const lane = c.type.startsWith('checklist.') ? (c.payload as { itemId: string }).itemId : `other-${i}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), c]);
  });
  const queues = [...lanes.values()];
  const out: IssueEnvelope[] = [];
  for (let k = 0; queues.some((q) => q.length > 0); k++) {
    const ready = queues.filter((q) => q.length > 0);
    out.push(ready[(keys[k % keys.length] ?? 0) % ready.length]!.shift()!);
  }
  return out;
}

describe('reducer', () => {
  it('gives the same visible state in every order the commands can arrive in', () => {
    fc.assert(
      fc.property(
        envelopesArb().map(causal),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }),
        (inOrder, keys) => {
          expect(visible(fold(interleaving(inOrder, keys)).state)).toEqual(visible(fold(inOrder).state));
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

  it('refuses a late edit of a removed item, and keeps nothing of it', () => {
    const base = { schemaVersion: 2 as const, issueId: '10001', source: 'ui' as const };
    const cmds: IssueEnvelope[] = [
      {
        ...base,
        commandId: 'c1-add',
        issuedAt: 1,
        type: 'checklist.add',
        payload: { itemId: 'a', text: 'A' },
      },
      { ...base, commandId: 'c2-remove', issuedAt: 3, type: 'checklist.remove', payload: { itemId: 'a' } },
    ];
    const { state, version } = fold(cmds);
    expect(version).toBe(2);
    expect(state.checklist).toEqual({});
    const late = {
      ...base,
      commandId: 'c3-rename',
      issuedAt: 2,
      type: 'checklist.rename' as const,
      payload: { itemId: 'a', text: 'B' },
    };
    expect(issueWriter.apply(state, late, version)).toEqual({
      ok: false,
      reason: "checklist item 'a' does not exist",
    });
  });

  it('refuses edits and removals of an item that was never added', () => {
    const base = { schemaVersion: 2 as const, issueId: '10001', source: 'ui' as const, issuedAt: 1 };
    for (const cmd of [
      { type: 'checklist.rename' as const, payload: { itemId: 'ghost', text: 'x'.repeat(255) } },
      { type: 'checklist.check' as const, payload: { itemId: 'ghost', checked: true } },
      { type: 'checklist.reorder' as const, payload: { itemId: 'ghost', rank: 1 } },
      { type: 'checklist.remove' as const, payload: { itemId: 'ghost' } },
    ]) {
      expect(
        issueWriter.apply(emptyIssueState(), { ...base, commandId: `cmd-${cmd.type}`, ...cmd }, 0),
      ).toEqual({
        ok: false,
        reason: "checklist item 'ghost' does not exist",
      });
    }
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
