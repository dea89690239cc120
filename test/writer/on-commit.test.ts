// The definition's `onCommit`: called after each committed transaction with what it applied, never
// for what it refused or for a commit that failed, and never able to fail the run.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { defineWriter, type Committed } from '../../src/shared/writer/index.js';
import { command, type Command } from '../../src/shared/issue-data/commands.js';
import { emptyIssueState } from '../../src/shared/issue-data/issue-state.js';
import { applyIssueCommand } from '../../src/shared/issue-data/reducer.js';
import { issueId } from '../../src/shared/issue-data/issue-writer.js';
import { envelopeFor, recordActivity, startApp, storedIssue } from './harness.js';

/** This app's writer, on its entities, with a hook that records (or throws). */
function writerWithHook(onCommit: (commit: Committed) => void) {
  return defineWriter({
    name: 'issue-data',
    queue: 'issue-commands',
    partition: { name: 'issue', id: issueId },
    commands: command,
    initialState: emptyIssueState,
    apply: applyIssueCommand,
    entities: { state: 'issue-state', receipt: 'command-receipt', deadLetter: 'dead-letter' },
    onCommit,
  });
}

const add = (itemId: string): Command => ({ type: 'checklist.add', payload: { itemId, text: itemId } });

describe('onCommit', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('reports each committed transaction with the commands it applied, not those it refused', async () => {
    rt = await startApp();
    const commits: Committed[] = [];
    const writer = writerWithHook((c) => void commits.push(c));
    const applied = envelopeFor('10001', add('a'));
    const refused = envelopeFor('10001', add('a')); // the same item again: refused
    const body = { v: 1, commands: [applied, refused] };
    await rt.runAsApp(() => writer.handler({ body, eventId: 'e1' }));
    expect(storedIssue(rt, '10001')?.version).toBe(1);
    expect(commits).toEqual([
      { partitionId: '10001', version: 1, applied: [{ command: applied, version: 1 }] },
    ]);
  });

  it('splits 30 commands into the transactions that committed them', async () => {
    rt = await startApp();
    const commits: Committed[] = [];
    const writer = writerWithHook((c) => void commits.push(c));
    const commands = Array.from({ length: 30 }, () => recordActivity('10001'));
    await rt.runAsApp(() => writer.handler({ body: { v: 1, commands }, eventId: 'e2' }));
    expect(commits.map((c) => [c.version, c.applied.length])).toEqual([
      [24, 24],
      [30, 6],
    ]);
  });

  it('is not called when the commit fails, and a hook that throws does not fail the run', async () => {
    rt = await startApp();
    const calls: Committed[] = [];
    rt.setFaults({ kvs: { serverError: 1 } });
    const failing = writerWithHook((c) => void calls.push(c));
    const result = await rt.runAsApp(() =>
      failing.handler({ body: { v: 1, commands: [recordActivity('10001')] }, eventId: 'e3' }),
    );
    expect(result).toBeDefined(); // asks for a retry
    expect(calls).toEqual([]);

    rt.setFaults({});
    const throwing = writerWithHook(() => {
      throw new Error('publish failed');
    });
    const ok = await rt.runAsApp(() =>
      throwing.handler({ body: { v: 1, commands: [recordActivity('10001')] }, eventId: 'e4' }),
    );
    expect(ok).toBeUndefined();
    expect(storedIssue(rt, '10001')?.version).toBe(1);
  });
});
