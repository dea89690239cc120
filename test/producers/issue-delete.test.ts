// Deleted issues: `issue.delete` clears the data and leaves a tombstone that refuses every later
// command, whatever order commands arrive in; the record then expires after the redelivery window.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { envelopeFor, recordActivity } from '../writer/harness.js';
import { envelopesArb } from '../writer/arbitraries.js';
import { receiptsFor, startApp, storedIssue, storedReceipt } from './webhook-harness.js';
import {
  issueWriter,
  type IssueEnvelope,
  type IssueState,
  ISSUE_DELETED,
} from '../../src/shared/issue-data/issue-writer.js';
import { emptyIssueState } from '../../src/shared/issue-data/issue-state.js';

const DAY = 24 * 60 * 60 * 1000;

const deleteCommand = (issueId = '10001', at = 5_000) =>
  envelopeFor(issueId, { type: 'issue.delete', payload: { at } });

function fold(commands: IssueEnvelope[]): { state: IssueState; refused: string[] } {
  let state = emptyIssueState();
  let version = 0;
  const refused: string[] = [];
  for (const cmd of commands) {
    const result = issueWriter.apply(state, cmd, version);
    if (result.ok) {
      state = result.state;
      version += 1;
    } else refused.push(result.reason);
  }
  return { state, refused };
}

describe('issue.delete in the reducer', () => {
  it('clears the data, leaves a tombstone, and refuses every later command', () => {
    const before = fold([recordActivity('10001'), deleteCommand()]);
    expect(before.state).toEqual({ ...emptyIssueState(), deletedAt: 5_000 });
    const later = [
      recordActivity('10001'),
      envelopeFor('10001', { type: 'checklist.add', payload: { itemId: 'a', text: 'A' } }),
      deleteCommand('10001', 6_000),
      recordActivity('10001', { expectedVersion: 2 }),
    ];
    for (const cmd of later) {
      expect(issueWriter.apply(before.state, cmd, 2)).toEqual({ ok: false, reason: ISSUE_DELETED });
    }
  });

  it('leaves the same state whatever order commands and a delete arrive in', () => {
    fc.assert(
      fc.property(
        envelopesArb().chain((cmds) => {
          const all = [...cmds, deleteCommand()];
          return fc.tuple(fc.constant(all), fc.shuffledSubarray(all, { minLength: all.length }));
        }),
        ([inOrder, shuffled]) => {
          expect(fold(shuffled).state).toEqual({ ...emptyIssueState(), deletedAt: 5_000 });
          expect(fold(inOrder).state).toEqual(fold(shuffled).state);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('deleted issues in storage', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('rejects late commands with a reason, then the record expires after the TTL', async () => {
    rt = await startApp();
    await rt.runAsApp(() => issueWriter.enqueue([recordActivity('10001'), recordActivity('10001')]));
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10001')?.state.activity.counts.updated).toBe(2);

    await rt.fireProductEvent('avi:jira:deleted:issue', {
      issue: { key: 'APP-1' },
      atlassianId: 'user-admin',
    });
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10001')?.state).toEqual({ ...emptyIssueState(), deletedAt: expect.any(Number) });

    // A command issued before the delete, delivered four days later (inside Forge's 96 h window).
    const late = recordActivity('10001', { issuedAt: 1 });
    await rt.advance(4 * DAY);
    await rt.runAsApp(() => issueWriter.enqueue([late]));
    await rt.runUntilIdle();
    expect(storedReceipt(rt, late.commandId)).toMatchObject({ status: 'rejected', reason: ISSUE_DELETED });
    expect(storedIssue(rt, '10001')?.state.activity.counts.updated).toBe(0);
    expect(storedIssue(rt, '10001')?.version).toBe(3);

    // The late command's receipt goes after its 8 days; the tombstone stays while a dead letter of
    // the issue could still be replayed (31 days from its last write, the refusal), then goes too.
    await rt.advance(8 * DAY + 60 * 60 * 1000);
    expect(receiptsFor(rt, '10001')).toHaveLength(0);
    expect(storedIssue(rt, '10001')?.state.deletedAt).toEqual(expect.any(Number));
    await rt.advance(23 * DAY);
    expect(storedIssue(rt, '10001')).toBeUndefined();
  });

  it('keeps the tombstone when a batch holds the delete and later commands together', async () => {
    rt = await startApp();
    const del = deleteCommand('10001', 10);
    const after = recordActivity('10001', { issuedAt: del.issuedAt + 1 });
    const check = envelopeFor(
      '10001',
      { type: 'checklist.add', payload: { itemId: 'x', text: 'X' } },
      { issuedAt: del.issuedAt - 1 },
    );
    await rt.runAsApp(() => issueWriter.enqueue([after, del, check]));
    await rt.runUntilIdle();
    const record = storedIssue(rt, '10001')!;
    expect(record.state.deletedAt).toBe(10);
    expect(storedReceipt(rt, after.commandId)).toMatchObject({ status: 'rejected', reason: ISSUE_DELETED });
    // Issued before the delete, it applied in the same pass and was then cleared with the rest.
    expect(storedReceipt(rt, check.commandId)?.status).toBe('applied');
    expect(record.state.checklist).toEqual({});
  });
});
