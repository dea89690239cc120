// The async-event queues as the runtime sees them: every event not yet finished, and the dropped.
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import type { QueuesView } from '../console-types.js';
import { eventContents } from './event-body.js';

const MAX_EVENTS = 100;
const MAX_DROPPED = 50;

export function queuesView(rt: LocalForgeRuntime): QueuesView {
  const snapshot = rt.events.snapshot();
  const dropped = rt.events.dropped();
  const count = (state: string) => snapshot.filter((e) => e.state === state).length;
  const heldBack = count('held-back');
  return {
    counts: {
      pending: count('scheduled') + heldBack,
      heldBack,
      retrying: count('retrying'),
      inFlight: count('in-flight'),
      dropped: dropped.length,
    },
    events: [...snapshot]
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, MAX_EVENTS)
      .map((e) => {
        const { issueIds, commandTypes, commands, replay } = eventContents(e.body);
        return {
          eventId: e.eventId,
          jobId: e.jobId,
          queueName: e.queueName,
          state: e.state,
          dueAt: e.dueAt,
          retryCount: e.retryCount,
          issueIds,
          commandTypes,
          commands,
          replay,
          duplicate: e.duplicate === true,
        };
      }),
    dropped: dropped
      .slice(-MAX_DROPPED)
      .reverse()
      .map((d) => {
        const { issueIds, commands } = eventContents(d.body);
        return {
          eventId: d.eventId,
          queueName: d.queueName,
          issueIds,
          commands,
          retryCount: d.retryCount,
          reason: d.reason,
          droppedAt: d.droppedAt,
        };
      }),
  };
}

/** Commands per issue still in the queue, for the issue rows. */
export function queuedCommandsByIssue(rt: LocalForgeRuntime): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of rt.events.snapshot()) {
    const commands = Array.isArray(event.body['commands']) ? (event.body['commands'] as unknown[]) : [];
    for (const command of commands) {
      const issueId = (command as { issueId?: unknown } | null)?.issueId;
      if (typeof issueId === 'string') counts.set(issueId, (counts.get(issueId) ?? 0) + 1);
    }
  }
  return counts;
}
