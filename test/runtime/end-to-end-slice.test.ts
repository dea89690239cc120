// The thin slice that proves the runtime carries real app code end to end: a typed command from
// the issue panel's resolver, through the queue, to the consumer, into a versioned entity.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';

const appDir = path.resolve(import.meta.dirname, '../..');
const issue = { id: '10001', key: 'APP-1', type: 'Task' };

describe('resolver -> queue -> consumer -> versioned entity', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('applies a submitted command exactly once and bumps the version', async () => {
    rt = await createRuntime({ appDir, faults: { delivery: { duplicate: 1 } } });
    const submitted = await rt.invokeResolver({
      functionKey: 'submitCommand',
      payload: { type: 'checklist.add', payload: { itemId: 'write-tests', text: 'Write the tests' } },
      accountId: 'user-admin',
      extension: { type: 'jira:issuePanel', issue },
    });
    expect(submitted).toMatchObject({ ok: true, value: { commandId: expect.any(String) } });
    await rt.runUntilIdle();

    const stored = rt.kvs.inspect.getEntity('issue-state', issue.id) as { version: number; state: unknown };
    expect(stored.version).toBe(1);
    expect(stored.state).toMatchObject({
      checklist: { 'write-tests': { text: { value: 'Write the tests' } } },
    });
    // The duplicate delivery happened, and changed nothing.
    expect(rt.metered()['events.duplicated']).toBe(1);
    expect(rt.metered()['events.delivered']).toBe(2);
  });
});
