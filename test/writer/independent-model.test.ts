// The simulation's independent model of an issue (sim/models/issue-model.ts) against the writer's
// reducer: it agrees with the reducer on any sequence of commands, and it sees a reducer bug that
// replaying through the reducer itself cannot see.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyIssueState, type IssueState } from '../../src/shared/issue-data/issue-state.js';
import { issueWriter, type IssueEnvelope } from '../../src/shared/issue-data/issue-writer.js';
import type { ApplyResult } from '../../src/shared/writer/index.js';
import { expectedIssueState, type AppliedCommand } from '../../sim/models/issue-model.js';
import { envelopesArb } from './arbitraries.js';

type Apply = (state: IssueState, envelope: IssueEnvelope, version: number) => ApplyResult<IssueState>;

/** Applies in the given order as the consumer would: refused commands leave no version. */
function replay(envelopes: IssueEnvelope[], apply: Apply = (s, e, v) => issueWriter.apply(s, e, v)) {
  let state = emptyIssueState();
  const applied: AppliedCommand[] = [];
  for (const envelope of envelopes) {
    const result = apply(state, envelope, applied.length);
    if (!result.ok) continue;
    state = result.state;
    applied.push({ envelope, version: applied.length + 1 });
  }
  return { state, applied };
}

const transition = (id: string, at: number, to: string): IssueEnvelope => ({
  ...issueWriter.command(
    '1',
    { type: 'activity.transition', payload: { from: 'To Do', to, at } },
    {
      source: 'jira-webhook',
    },
  ),
  commandId: id,
  issuedAt: at,
});

describe('the independent model of an issue', () => {
  it('gives the state the reducer gives, for any sequence of commands', () => {
    fc.assert(
      fc.property(envelopesArb(40), (envelopes) => {
        const { state, applied } = replay(envelopes);
        expect(expectedIssueState(undefined, applied)).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });

  it('clears everything an applied issue.delete came after', () => {
    const { state, applied } = replay([
      transition('t1', 5, 'Done'),
      {
        ...issueWriter.command('1', { type: 'issue.delete', payload: { at: 9 } }, { source: 'jira-webhook' }),
      },
    ]);
    expect(expectedIssueState(undefined, applied)).toEqual(state);
    expect(state.deletedAt).toBe(9);
  });

  it('catches a reducer that keeps the last transition to arrive instead of the latest one', () => {
    // The bug: arrival order decides, so consumers that apply in different orders disagree.
    const arrivalOrder: Apply = (state, envelope, version) => {
      const result = issueWriter.apply(state, envelope, version);
      if (!result.ok || envelope.type !== 'activity.transition') return result;
      const { from, to, at } = envelope.payload;
      const stamp = result.state.activity.lastTransition!.stamp;
      const lastTransition = { value: { from, to, at }, stamp: { ...stamp, at } };
      return { ok: true, state: { ...result.state, activity: { ...result.state.activity, lastTransition } } };
    };
    // The later transition is delivered first (reordered delivery).
    const { state, applied } = replay(
      [transition('late', 20, 'Done'), transition('early', 10, 'In Progress')],
      arrivalOrder,
    );
    // Replaying through the same broken reducer agrees with it: the reducer-based check passes...
    expect(
      replay(
        applied.map((a) => a.envelope as IssueEnvelope),
        arrivalOrder,
      ).state,
    ).toEqual(state);
    // ...the independent model does not.
    expect(expectedIssueState(undefined, applied)).not.toEqual(state);
    expect(expectedIssueState(undefined, applied).activity.lastTransition?.value.to).toBe('Done');
  });
});
