// Shared set-up for the writer's tests: the real app on the local runtime, and command builders.
import path from 'node:path';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { ENVELOPE_SCHEMA_VERSION, type CommandEnvelope } from '../../src/shared/command-envelope.js';
import type { Command } from '../../src/shared/commands.js';
import type { IssueRecord, ReceiptRecord } from '../../src/shared/storage-layout.js';

export const appDir = path.resolve(import.meta.dirname, '../..');

export function startApp(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  return createRuntime({ appDir, ...options });
}

let counter = 0;

export function envelopeFor(
  issueId: string,
  cmd: Command,
  extra: Partial<CommandEnvelope> = {},
): CommandEnvelope {
  counter += 1;
  return {
    ...cmd,
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    commandId: `cmd-test-${String(counter).padStart(6, '0')}`,
    issueId,
    issuedAt: 1_000 + counter,
    source: 'jira-webhook',
    ...extra,
  } as CommandEnvelope;
}

export const recordActivity = (issueId: string, extra: Partial<CommandEnvelope> = {}) =>
  envelopeFor(issueId, { type: 'activity.record', payload: { kind: 'updated', at: 1 } }, extra);

export function storedIssue(rt: LocalForgeRuntime, issueId: string): IssueRecord | undefined {
  return rt.storage.getEntity('issue-state', issueId) as IssueRecord | undefined;
}

export function storedReceipt(rt: LocalForgeRuntime, commandId: string): ReceiptRecord | undefined {
  return rt.storage.getEntity('command-receipt', commandId) as ReceiptRecord | undefined;
}
