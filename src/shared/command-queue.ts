// The producers' one door to the writer: validated commands go onto the queue, grouped by issue.
import { Queue } from '@forge/events';
import { envelope, type CommandEnvelope } from './command-envelope.js';

export const COMMAND_QUEUE = 'issue-commands';

export interface CommandEvent {
  commands: CommandEnvelope[];
}

export async function enqueue(commands: CommandEnvelope[]): Promise<void> {
  const valid = commands.map((c) => envelope.parse(c));
  const byIssue = new Map<string, CommandEnvelope[]>();
  for (const c of valid) byIssue.set(c.issueId, [...(byIssue.get(c.issueId) ?? []), c]);
  const events = [...byIssue].map(([issueId, cmds]) => ({
    body: { commands: cmds } satisfies CommandEvent,
    concurrency: { key: `issue-${issueId}`, limit: 1 },
  }));
  await new Queue({ key: COMMAND_QUEUE }).push(events);
}
