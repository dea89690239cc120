// The dead-letter writer on commands settled meanwhile: it leaves them, and stores nothing for them
// (found by the simulation's settled-work-ends check: a redelivery of dead-lettered commands created
// an empty record for each issue they named).
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { deadLetterCommands } from '../../src/shared/writer/consumer/dead-letter-writer.js';
import { recordActivity, startApp, storedIssue, storedReceipt } from './harness.js';

describe('dead-letter writer', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('creates no record for an issue whose commands are all settled already', async () => {
    rt = await startApp();
    const cmd = recordActivity('10009');
    await rt.runAsApp(() => deadLetterCommands(issueWriter.config, [cmd], 'first delivery', 5));
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');
    expect(storedIssue(rt, '10009')).toBeUndefined();

    // A later delivery of the same event reaches the dead-letter writer again.
    await rt.runAsApp(() => deadLetterCommands(issueWriter.config, [cmd], 'redelivered', 6));
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');
    expect(storedIssue(rt, '10009')).toBeUndefined();
  });
});
