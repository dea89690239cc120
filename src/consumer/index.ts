// The `issue-commands` queue's consumer: the only writer of issue state. Applying is all the
// writer's core (src/shared/writer/consumer); this app names its writer, then announces what the
// run applied on each issue's Realtime channel (change-publisher.ts), so open panels are live.
import type { ConsumerHandler, QueueEvent } from '../shared/writer';
import { recordAppliedChanges, type AppliedChange } from '../shared/issue-data/applied-changes';
import { issueWriter } from '../shared/issue-data/issue-writer';
import { publishChanges } from './change-publisher';

export const handler: ConsumerHandler = async (event, context) => {
  const { result, applied } = await recordAppliedChanges(() => issueWriter.handler(event, context));
  if (applied.length > 0) await publishChanges(byIssue(event, applied));
  return result;
};

/**
 * The issue of each applied command, from the event's envelopes. A command drained from the
 * partition's deposits (coalescing) is not in this event; an event that coalesces has one issue.
 */
function byIssue(event: QueueEvent, applied: readonly AppliedChange[]): Map<string, AppliedChange[]> {
  const issueOf = new Map<string, string>();
  const body = event.body as { commands?: unknown } | undefined;
  for (const c of Array.isArray(body?.commands) ? body.commands : []) {
    const { commandId, issueId } = (c ?? {}) as { commandId?: unknown; issueId?: unknown };
    if (typeof commandId === 'string' && typeof issueId === 'string') issueOf.set(commandId, issueId);
  }
  const issues = new Set(issueOf.values());
  const only = issues.size === 1 ? [...issues][0] : undefined;
  const out = new Map<string, AppliedChange[]>();
  for (const change of applied) {
    const issueId = issueOf.get(change.commandId) ?? only;
    if (issueId === undefined) continue;
    out.set(issueId, [...(out.get(issueId) ?? []), change]);
  }
  return out;
}
