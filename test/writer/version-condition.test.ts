// versionCondition, the core's check for a caller that writes a record itself (a caller-side
// compare-and-set): the write goes through only if the record is still at the version read, and a
// write "at version 0" only if there is no record yet.
import { kvs } from '@forge/kvs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { versionCondition, writeUnlessConflict, type StateRecord } from '../../src/shared/writer/index.js';
import { startApp, storedIssue } from './harness.js';

describe('versionCondition', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  const write = (version: number, expected: number) =>
    rt.runAsApp(() =>
      writeUnlessConflict(() =>
        kvs
          .transact()
          .set<StateRecord<unknown>>(
            '10001',
            { issueId: '10001', version, updatedAt: version, state: {} },
            { entityName: issueWriter.entities.state, conditions: versionCondition(expected) },
          )
          .execute(),
      ),
    );

  it('writes at version 0 only while no record exists, then only on the version last written', async () => {
    rt = await startApp();
    expect(await write(1, 0)).toBe(true);
    expect(await write(2, 0)).toBe(false);
    expect(await write(2, 2)).toBe(false);
    expect(await write(2, 1)).toBe(true);
    expect(await write(3, 1)).toBe(false);
    expect(storedIssue(rt, '10001')?.version).toBe(2);
  });
});
