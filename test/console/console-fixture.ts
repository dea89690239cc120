// Shared set-up for the console API tests: the app on a virtual clock behind the HTTP server with
// the console, and ways to put real data (applied commands, dead letters, malformed events) in it.
import { Queue } from '@forge/events';
import { startApp, type RunningApp } from '../browser/browser-harness.js';
import { issueWriter, type IssueEnvelope, type Command } from '../../src/shared/issue-data/issue-writer.js';

const HOUR = 60 * 60 * 1000;

export function startConsoleApp(): Promise<RunningApp> {
  // A short retention window so a storage outage dead-letters in a few virtual hours.
  return startApp({ clock: 'virtual', events: { retentionMs: 3 * HOUR } });
}

export async function apply(app: RunningApp, issueId: string, cmd: Command): Promise<IssueEnvelope> {
  const envelope = issueWriter.command(issueId, cmd, { source: 'ui' });
  await app.rt.runAsApp(() => issueWriter.enqueue([envelope]));
  await app.rt.runUntilIdle();
  return envelope;
}

/** A command sent while storage fails: the consumer retries, then dead-letters it. */
export async function deadLetter(app: RunningApp, issueId: string, cmd: Command): Promise<IssueEnvelope> {
  app.rt.setFaults({ kvs: { serverError: 0.95 } });
  try {
    return await apply(app, issueId, cmd);
  } finally {
    app.rt.setFaults({});
  }
}

/** An event the consumer cannot read: it is kept as a malformed dead letter. */
export async function malformedEvent(app: RunningApp): Promise<void> {
  await app.rt.runAsApp(() =>
    new Queue({ key: 'issue-commands' }).push({ body: { v: 1, commands: [{ not: 'a command' }] } }),
  );
  await app.rt.runUntilIdle();
}

export async function call(
  app: RunningApp,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${app.url}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON (the page's own files): the text is the body.
  }
  return { status: response.status, body };
}

export const postJson = (
  app: RunningApp,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) =>
  call(app, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
