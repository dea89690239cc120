// Jira product events (issue created, updated, commented, deleted) become writer commands. The
// trigger only validates, maps and enqueues; the consumer does the work.
//
// Nothing is dropped when pushes fail. Forge retries a product-event trigger only when it RETURNS
// an InvocationError, at most 4 times (docs/platform.md, "Functions, triggers and resolvers"), so
// a failed enqueue returns one, with backoff, carrying the ids not yet on the queue in `retryData`.
// The ids are derived from the event, so a retry re-enqueues the same commands. On the last retry
// Forge allows, what still cannot be pushed is kept as open dead letters (`deadLetters.park`),
// listed and replayable like any other.
import { InvocationError, InvocationErrorCode, RateLimitError } from '@forge/events';
import { z } from 'zod';
import { issueWriter, type IssueEnvelope } from '../shared/issue-data/issue-writer';
import { BACKOFF, backoffSeconds, describeIssues, EnqueueError } from '../shared/writer';
import { appAccountId } from './app-account';
import { commandsForJiraEvent, jiraIssueEvent } from './jira-event';

/** Docs (events-reference/product_events): "You can only retry an event for a maximum of four times." */
export const MAX_TRIGGER_RETRIES = 4;
/** Forge allows 500 events a minute per installation: a rate-limited push waits out that minute. */
export const RATE_LIMIT_WAIT_SECONDS = 60;

/** What a retry carries: the ids of the event's commands that are not on the queue yet. */
const retryData = z.object({ pending: z.array(z.string().max(100)).max(20) });

const retryContext = z.object({
  retryCount: z.number().int().nonnegative().optional(),
  retryData: z.unknown().optional(),
});

export async function handler(event: unknown): Promise<InvocationError | undefined> {
  const parsed = jiraIssueEvent.safeParse(event);
  if (!parsed.success) {
    // Only the validation problems: the payload may hold user data and must not reach the logs.
    // Not retried: the same payload cannot become readable.
    console.warn(`Ignored an unreadable Jira event: ${describeIssues(parsed.error.issues)}`);
    return undefined;
  }
  const jiraEvent = parsed.data;
  if (jiraEvent.atlassianId !== undefined && jiraEvent.atlassianId === (await appAccountId())) {
    console.log(`Ignored ${jiraEvent.eventType} for issue ${jiraEvent.issue.id}: the app caused it`);
    return undefined;
  }
  const retry = retryContext.safeParse((event as { retryContext?: unknown }).retryContext);
  const retryCount = retry.success ? (retry.data.retryCount ?? 0) : 0;
  const carried = retry.success ? retryData.safeParse(retry.data.retryData) : undefined;

  const all = commandsForJiraEvent(jiraEvent, Date.now()).map(({ commandId, command }) =>
    issueWriter.command(jiraEvent.issue.id, command, { source: 'jira-webhook', commandId }),
  );
  // A retry pushes only what an earlier attempt could not; without readable retryData, all again
  // (safe: the consumer applies each id once).
  const left = carried?.success ? all.filter((c) => carried.data.pending.includes(c.commandId)) : [];
  const pending = left.length > 0 ? left : all;
  const what = `${jiraEvent.eventType} for issue ${jiraEvent.issue.id}`;
  try {
    const { commandIds } = await issueWriter.enqueue(pending);
    console.log(`${what}: enqueued ${commandIds.join(', ')}`);
    return undefined;
  } catch (error) {
    // An invalid command is a bug in the mapping, not the platform: retrying cannot fix it.
    if (!(error instanceof EnqueueError)) throw error;
    const notEnqueued = pending.filter((c) => error.notEnqueued.includes(c.commandId));
    return retryLater(what, notEnqueued, error, retryCount);
  }
}

async function retryLater(
  what: string,
  notEnqueued: IssueEnvelope[],
  error: EnqueueError,
  retryCount: number,
): Promise<InvocationError | undefined> {
  const ids = notEnqueued.map((c) => c.commandId);
  if (retryCount >= MAX_TRIGGER_RETRIES) {
    // Forge would not honour another request: keep the commands where an admin finds and replays them.
    try {
      await issueWriter.deadLetters.park(
        notEnqueued,
        `the Jira trigger could not push after ${retryCount + 1} deliveries: ${error.message}`,
      );
    } catch (parkError) {
      console.error(`${what}: could neither push nor keep ${ids.join(', ')}; the event is lost`);
      throw parkError;
    }
    console.error(`${what}: could not push ${ids.join(', ')}; kept as open dead letters`);
    return undefined;
  }
  const rateLimited = error.cause instanceof RateLimitError;
  const wait = backoffSeconds(BACKOFF.redelivery, retryCount + 1);
  console.warn(`${what}: ${error.message}; retry ${retryCount + 1} of ${MAX_TRIGGER_RETRIES} requested`);
  return new InvocationError({
    retryAfter: rateLimited ? Math.max(RATE_LIMIT_WAIT_SECONDS, wait) : wait,
    retryReason: rateLimited
      ? InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED
      : InvocationErrorCode.FUNCTION_RETRY_REQUEST,
    retryData: { pending: ids },
  });
}
