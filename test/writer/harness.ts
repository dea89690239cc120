// Shared set-up for the writer's tests: the real app on the local runtime, and command builders.
import path from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import {
  type IssueEnvelope,
  type IssueRecord,
  type IssueReceipt,
  type Command,
} from '../../src/shared/issue-data/issue-writer.js';
import { ENVELOPE_SCHEMA_VERSION } from '../../src/shared/writer/index.js';

export const appDir = path.resolve(import.meta.dirname, '../..');

export function startApp(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  return createRuntime({ appDir, ...options });
}

/**
 * A fresh app for each test of the enclosing `describe`, closed after it with every mock restored.
 * Call it before the describe's own hooks, which then see the test's runtime; returns a getter.
 */
export function appPerTest(options: RuntimeOptions = {}): () => LocalForgeRuntime {
  let rt: LocalForgeRuntime | undefined;
  beforeEach(async () => {
    rt = await startApp(options);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rt?.close();
  });
  return () => rt!;
}

let counter = 0;

export function envelopeFor(
  issueId: string,
  cmd: Command,
  extra: Partial<IssueEnvelope> = {},
): IssueEnvelope {
  counter += 1;
  return {
    ...cmd,
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    commandId: `cmd-test-${String(counter).padStart(6, '0')}`,
    issueId,
    issuedAt: 1_000 + counter,
    source: 'jira-webhook',
    ...extra,
  } as IssueEnvelope;
}

export const recordActivity = (issueId: string, extra: Partial<IssueEnvelope> = {}) =>
  envelopeFor(issueId, { type: 'activity.record', payload: { kind: 'updated', at: 1 } }, extra);

export function storedIssue(rt: LocalForgeRuntime, issueId: string): IssueRecord | undefined {
  return rt.storage.getEntity('issue-state', issueId) as IssueRecord | undefined;
}

export function storedReceipt(rt: LocalForgeRuntime, commandId: string): IssueReceipt | undefined {
  return rt.storage.getEntity('command-receipt', commandId) as IssueReceipt | undefined;
}
