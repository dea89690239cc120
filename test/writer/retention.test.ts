// How long the writer's records live: a settled receipt for 8 days (past Forge's longest
// redelivery window, so a late duplicate still finds it), a dead letter and its receipt for 30
// (as long as someone may replay it). docs/writer.md, "What it guarantees".
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { deadLetterKey } from '../../src/shared/writer/index.js';
import { recordActivity, startApp, storedReceipt } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;

describe('retention', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('keeps a settled receipt for 8 days, then lets it expire', async () => {
    rt = await startApp();
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.enqueue([cmd]));
    await rt.runUntilIdle();
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('applied');
    await rt.advance(8 * DAY - 60_000);
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('applied');
    await rt.advance(2 * 60_000);
    expect(storedReceipt(rt, cmd.commandId)).toBeUndefined();
  });

  it('keeps a dead letter and its receipt for 30 days, then lets both expire', async () => {
    rt = await startApp();
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => issueWriter.deadLetters.park([cmd], 'push kept failing'));
    const letter = () => rt.storage.getEntity(issueWriter.entities.deadLetter, deadLetterKey(cmd.commandId));
    expect(letter()).toMatchObject({ status: 'open', reason: 'push kept failing' });
    await rt.advance(30 * DAY - 60_000);
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');
    expect(letter()).toMatchObject({ status: 'open' });
    await rt.advance(2 * 60_000);
    expect(storedReceipt(rt, cmd.commandId)).toBeUndefined();
    expect(letter()).toBeUndefined();
  });
});
