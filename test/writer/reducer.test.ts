// The reducer: commands commute where the domain allows, and refusals are explicit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopesArb } from './arbitraries.js';
import {
  issueWriter,
  type IssueEnvelope,
  checklistView,
  type IssueState,
  type Command,
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

describe('conflicts at the grain of a field', () => {
  const base = { schemaVersion: 2 as const, issueId: '10001', source: 'ui' as const };
  let n = 0;
  const envelope = (cmd: Command, issuedAt = ++n): IssueEnvelope =>
    ({ ...base, ...cmd, commandId: `cmd-conflict-${++n}`, issuedAt }) as IssueEnvelope;

  /** Folds commands that must all apply, and answers the state with the last stamps. */
  function applied(state: IssueState, ...cmds: Command[]): IssueState {
    for (const cmd of cmds) {
      const result = issueWriter.apply(state, envelope(cmd), 0);
      if (!result.ok) throw new Error(`${cmd.type} refused: ${result.reason}`);
      state = result.state;
    }
    return state;
  }

  const start = () =>
    applied(
      emptyIssueState(),
      { type: 'checklist.add', payload: { itemId: 'a', text: 'Write docs', rank: 1, by: 'ana' } },
      { type: 'checklist.add', payload: { itemId: 'b', text: 'Fix bug', rank: 2, by: 'ana' } },
    );
  const revisionOf = (state: IssueState, itemId: string, field: 'text' | 'checked' | 'rank') => {
    const stamp = state.checklist[itemId]?.[field]?.stamp;
    return stamp ? { at: stamp.at, id: stamp.id } : null;
  };

  it('refuses an edit of a field someone else changed since, naming the field, the item and who', () => {
    const loaded = start();
    const seen = revisionOf(loaded, 'a', 'text');
    const now = applied(loaded, {
      type: 'checklist.rename',
      payload: { itemId: 'a', text: 'Write the docs', by: 'bo', basedOn: seen },
    });
    const mine = envelope({
      type: 'checklist.rename',
      payload: { itemId: 'a', text: 'Write all docs', by: 'ana', basedOn: seen },
    });
    expect(issueWriter.apply(now, mine, 3)).toEqual({
      ok: false,
      reason: "the text of 'Write the docs' was changed by bo since you loaded it",
    });
    // The same edit made from the revision there now applies ("Apply mine").
    const again = { ...mine, payload: { ...mine.payload, basedOn: revisionOf(now, 'a', 'text') } };
    const result = issueWriter.apply(now, again as IssueEnvelope, 3);
    expect(result.ok && checklistView(result.state)[0]?.text).toBe('Write all docs');

    const checked = applied(now, {
      type: 'checklist.check',
      payload: { itemId: 'a', checked: true, by: 'bo', basedOn: null },
    });
    const uncheck = envelope({
      type: 'checklist.check',
      payload: { itemId: 'a', checked: false, by: 'ana', basedOn: null },
    });
    expect(issueWriter.apply(checked, uncheck, 4)).toEqual({
      ok: false,
      reason: "the check mark of 'Write the docs' was changed by bo since you loaded it",
    });
    const remove = envelope({ type: 'checklist.remove', payload: { itemId: 'a', by: 'ana', basedOn: seen } });
    expect(issueWriter.apply(checked, remove, 4)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('the text of'),
    });
  });

  it('applies edits made after changes of other fields, other items, activity, deployments and reports', () => {
    const loaded = start();
    const seen = {
      text: revisionOf(loaded, 'a', 'text'),
      checked: revisionOf(loaded, 'a', 'checked'),
      rank: revisionOf(loaded, 'a', 'rank'),
    };
    const now = applied(
      loaded,
      { type: 'checklist.rename', payload: { itemId: 'a', text: 'Renamed by bo', by: 'bo' } },
      { type: 'checklist.check', payload: { itemId: 'b', checked: true, by: 'bo', basedOn: null } },
      { type: 'checklist.reorder', payload: { itemId: 'b', rank: 0, by: 'bo' } },
      { type: 'activity.record', payload: { kind: 'commented', at: 5 } },
      { type: 'activity.transition', payload: { from: 'To Do', to: 'Done', at: 6 } },
      {
        type: 'activity.external',
        payload: { eventId: 'd1', kind: 'deployment', environment: 'prod', status: 'succeeded', at: 7 },
      },
      {
        type: 'report.metrics',
        payload: {
          reportKind: 'time-in-status',
          runId: 'r1',
          computedAt: 8,
          timeInStatusMs: {},
          transitions: 1,
        },
      },
    );
    const state = applied(
      now,
      { type: 'checklist.check', payload: { itemId: 'a', checked: true, by: 'ana', basedOn: seen.checked } },
      { type: 'checklist.reorder', payload: { itemId: 'a', rank: 9, by: 'ana', basedOn: seen.rank } },
    );
    expect(checklistView(state).find((i) => i.itemId === 'a')).toMatchObject({ checked: true });
    // A removal is made from the item's text: from the text there now, it applies.
    expect(
      applied(state, {
        type: 'checklist.remove',
        payload: { itemId: 'a', by: 'ana', basedOn: revisionOf(state, 'a', 'text') },
      }).checklist['a'],
    ).toBeUndefined();
    expect(seen.text).not.toEqual(revisionOf(state, 'a', 'text'));
  });

  it("applies a person's edit made while their own earlier edit of the field was settling", () => {
    const loaded = start();
    const seen = revisionOf(loaded, 'a', 'checked');
    const state = applied(
      loaded,
      { type: 'checklist.check', payload: { itemId: 'a', checked: true, by: 'ana', basedOn: seen } },
      { type: 'checklist.check', payload: { itemId: 'a', checked: false, by: 'ana', basedOn: seen } },
    );
    expect(checklistView(state)[0]).toMatchObject({ itemId: 'a', checked: false });
    // Two people wanting the same value is no conflict either: bo's edit applies.
    const both = applied(state, {
      type: 'checklist.check',
      payload: { itemId: 'a', checked: false, by: 'bo', basedOn: seen },
    });
    expect(both.checklist['a']?.checked).toMatchObject({ value: false, stamp: { by: 'bo' } });
  });

  it('keeps the old behaviour without basedOn: last writer wins, and expectedVersion still checks the issue', () => {
    const loaded = start();
    const state = applied(
      loaded,
      { type: 'checklist.rename', payload: { itemId: 'a', text: 'By bo', by: 'bo' } },
      { type: 'checklist.rename', payload: { itemId: 'a', text: 'By a webhook' } },
      { type: 'checklist.remove', payload: { itemId: 'b' } },
    );
    expect(checklistView(state).map((i) => i.text)).toEqual(['By a webhook']);
    const stale = {
      ...envelope({ type: 'checklist.check', payload: { itemId: 'a', checked: true } }),
      expectedVersion: 1,
    };
    expect(issueWriter.apply(state, stale, 5)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('stale view'),
    });
  });

  it('keeps a long account id as a short hash, and names no one by it', () => {
    const long = 'x'.repeat(128);
    const loaded = start();
    const seen = revisionOf(loaded, 'a', 'text');
    const now = applied(loaded, {
      type: 'checklist.rename',
      payload: { itemId: 'a', text: 'Long', by: long, basedOn: seen },
    });
    expect(now.checklist['a']?.text?.stamp.by).toMatch(/^#[0-9a-f]{16}$/);
    // The same long id is still recognised as the same person.
    expect(
      applied(now, {
        type: 'checklist.rename',
        payload: { itemId: 'a', text: 'Longer', by: long, basedOn: seen },
      }).checklist['a']?.text?.value,
    ).toBe('Longer');
    expect(
      issueWriter.apply(
        now,
        envelope({
          type: 'checklist.rename',
          payload: { itemId: 'a', text: 'Mine', by: 'ana', basedOn: seen },
        }),
        3,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('changed by another user since') });
  });
});
