// Shared set-up for the producers' tests: the real app on the local runtime, and a signed caller
// for the deployment web trigger.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { kvs } from '@forge/kvs';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { forgetSecretCopies, WEBHOOK_SECRET_KEY } from '../../src/producers/deployments/webhook-secret.js';
import { signRequest } from '../../src/producers/deployments/webhook-signature.js';
import { type IssueRecord, type IssueReceipt } from '../../src/shared/issue-data/issue-writer.js';

export const appDir = path.resolve(import.meta.dirname, '../..');
export const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/**
 * `logs` collects every line the runtime logs, app logs included. A fresh runtime is a fresh
 * installation, but the app's modules (and the web trigger's copy of its secret) live as long as
 * the test process: the copy is dropped, as a new instance would start without one.
 */
export function startApp(seed = 1, logs?: string[]): Promise<LocalForgeRuntime> {
  forgetSecretCopies();
  return createRuntime({ appDir, seed, ...(logs ? { log: (line: string) => logs.push(line) } : {}) });
}

export async function configureSecret(rt: LocalForgeRuntime, secret = SECRET): Promise<void> {
  await rt.runAsApp(() => kvs.setSecret(WEBHOOK_SECRET_KEY, secret));
}

export interface SignedCall {
  body: string;
  secret?: string;
  /** Unix seconds; default the runtime's now. */
  timestamp?: string;
  nonce?: string;
  method?: string;
}

/** Calls the web trigger as a CI system would: signed over timestamp, nonce and body. */
export function callSigned(rt: LocalForgeRuntime, call: SignedCall) {
  const timestamp = call.timestamp ?? String(Math.floor(rt.clock.now() / 1000));
  const nonce = call.nonce ?? randomUUID();
  return rt.callWebTrigger('deployment-webhook', {
    method: call.method ?? 'POST',
    headers: {
      'content-type': ['application/json'],
      'x-forge-timestamp': [timestamp],
      'x-forge-nonce': [nonce],
      'x-forge-signature': [signRequest(call.secret ?? SECRET, timestamp, nonce, call.body)],
    },
    body: call.body,
  });
}

export function deployment(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    issueKey: 'APP-1',
    eventId: 'build-42-deploy-1',
    environment: 'production',
    status: 'succeeded',
    at: 1_767_000_000_000,
    url: 'https://ci.example.com/builds/42',
    ...extra,
  });
}

export function storedIssue(rt: LocalForgeRuntime, issueId: string): IssueRecord | undefined {
  return rt.storage.getEntity('issue-state', issueId) as IssueRecord | undefined;
}

export function storedReceipt(rt: LocalForgeRuntime, commandId: string): IssueReceipt | undefined {
  return rt.storage.getEntity('command-receipt', commandId) as IssueReceipt | undefined;
}

export function receiptsFor(rt: LocalForgeRuntime, issueId: string): IssueReceipt[] {
  return rt.storage
    .listEntity('command-receipt')
    .map((i) => i.value as IssueReceipt)
    .filter((r) => r.issueId === issueId);
}

export const pushes = (rt: LocalForgeRuntime) => rt.metered()['events.pushRequests'];
