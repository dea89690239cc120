// The consumer of the `report-jobs` queue: does one page of a report job per event, records the
// page's progress shard (its one write), then pushes the next page's event, or ends the job.
//
// Forge delivers at least once, so the same page event can run twice: redelivered after a crash,
// or duplicated. The shard is written with FAIL_IF_EXISTS, so a page is counted once. Whoever
// finds the shard already written must decide whether the chain needs it: if the next page's shard
// is missing and the shard is older than any invocation can live, the writer died before pushing
// and this delivery pushes the next page; otherwise it stands back (a duplicate).
import { InvocationError, InvocationErrorCode, InvocationLimitReachedError } from '@forge/events';
import { z } from 'zod';
import { searchPage, JiraRequestError } from './jira-pages.js';
import { reportOnPage } from './page-metrics.js';
import { pageEventBody, pushPage, PAGE_EVENT_VERSION, type PageEventBody } from './report-events.js';
import {
  endJob,
  loadJob,
  loadShards,
  writeShard,
  type ProgressShard,
  type ReportJobRecord,
} from './report-store.js';

/**
 * A shard this old whose next page has no shard was left by an invocation that died before its
 * push: well over the function's timeout (manifest: 120 s), so its writer is surely gone.
 */
export const STALL_MS = 5 * 60_000;
/** A page failing this often (Jira or storage down) fails the job rather than retrying all day. */
export const MAX_PAGE_ATTEMPTS = 8;
/** The start pushes page 0 just before it creates the job; page 0 waits this many times for it. */
const JOB_WAIT_ATTEMPTS = 3;
const JOB_WAIT_SECONDS = 10;

interface PageEvent {
  body: unknown;
  eventId?: string;
  retryContext?: { retryCount?: number; retryData?: unknown };
}

const retryData = z.object({
  attempt: z.number().int().nonnegative(),
  /** Set when this delivery found its page recorded and waits to see whether the chain moved on. */
  recheck: z.object({ nextPageToken: z.string().optional() }).optional(),
});
type RetryData = z.infer<typeof retryData>;

type Outcome = InvocationError | undefined;

export async function handler(event: PageEvent): Promise<Outcome> {
  const parsed = pageEventBody.safeParse(event.body);
  if (!parsed.success) {
    // Retrying cannot make it readable; logged and dropped.
    console.error(`Report page event ${event.eventId ?? '?'} is malformed: ${parsed.error.message}`);
    return undefined;
  }
  const body = parsed.data;
  const data = retryData.safeParse(event.retryContext?.retryData);
  const retry: RetryData = data.success ? data.data : { attempt: event.retryContext?.retryCount ?? 0 };
  try {
    return await runPage(body, retry);
  } catch (error) {
    return retryOrFail(body, retry, error);
  }
}

async function runPage(body: PageEventBody, retry: RetryData): Promise<Outcome> {
  const job = await loadJob(body.jobId);
  if (!job) {
    if (body.page === 0 && retry.attempt < JOB_WAIT_ATTEMPTS) {
      return later(JOB_WAIT_SECONDS, { attempt: retry.attempt + 1 });
    }
    console.warn(`Report job ${body.jobId} does not exist; page ${body.page} dropped`);
    return undefined;
  }
  // A cancelled (or ended) job stops here: no work, no next page.
  if (job.state !== 'running') return undefined;
  if (retry.recheck) return afterRecordedPage(job, body, retry.recheck.nextPageToken, retry);
  if (retry.attempt > 0) {
    // A redelivery: an earlier attempt may have recorded the page before dying.
    const recorded = await loadShards(job.jobId, [body.page]);
    if (recorded.has(body.page)) {
      const page = await searchPage(job.jql, body.pageSize, body.pageToken, { changelog: false });
      return afterRecordedPage(job, body, page.nextPageToken, retry);
    }
  }
  const page = await searchPage(job.jql, body.pageSize, body.pageToken);
  const outcome = await reportOnPage(job, page.issues);
  const shard: ProgressShard = { jobId: job.jobId, page: body.page, ...outcome, writtenAt: Date.now() };
  if (await writeShard(shard)) return advance(job, body, shard, page.nextPageToken);
  return afterRecordedPage(job, body, page.nextPageToken, retry);
}

/** The page's shard exists already: continue the chain only if nobody else will. */
async function afterRecordedPage(
  job: ReportJobRecord,
  body: PageEventBody,
  nextPageToken: string | undefined,
  retry: RetryData,
): Promise<Outcome> {
  const shards = await loadShards(job.jobId, [body.page, body.page + 1]);
  const shard = shards.get(body.page);
  if (!shard) throw new Error(`progress shard ${body.page} of report job ${job.jobId} disappeared`);
  // Ending the job is conditional and idempotent: the last page may simply try again.
  if (nextPageToken === undefined) return advance(job, body, shard, undefined);
  if (shards.has(body.page + 1)) return undefined;
  const age = Date.now() - shard.writtenAt;
  if (age < STALL_MS) {
    return later(Math.ceil((STALL_MS - age) / 1000), { attempt: retry.attempt, recheck: { nextPageToken } });
  }
  return advance(job, body, shard, nextPageToken);
}

async function advance(
  job: ReportJobRecord,
  body: PageEventBody,
  shard: ProgressShard,
  nextPageToken: string | undefined,
): Promise<Outcome> {
  const done = body.doneBefore + shard.done;
  const failed = body.failedBefore + shard.failed;
  if (nextPageToken === undefined) {
    await endJob(job.jobId, { state: 'done', finishedAt: Date.now(), total: done + failed, done, failed });
    return undefined;
  }
  await pushPage({
    v: PAGE_EVENT_VERSION,
    jobId: job.jobId,
    page: body.page + 1,
    pageToken: nextPageToken,
    pageSize: body.pageSize,
    doneBefore: done,
    failedBefore: failed,
  });
  return undefined;
}

async function retryOrFail(body: PageEventBody, retry: RetryData, error: unknown): Promise<Outcome> {
  const attempt = retry.attempt + 1;
  const message = error instanceof Error ? error.message : String(error);
  const permanent = (error instanceof JiraRequestError && !error.retryable) || chainLimitReached(error);
  if (permanent || attempt >= MAX_PAGE_ATTEMPTS) {
    console.error(`Report job ${body.jobId} failed on page ${body.page}: ${message}`);
    // If even this write fails, throwing hands the event back to the platform's retries.
    await endJob(body.jobId, {
      state: 'failed',
      finishedAt: Date.now(),
      error: `page ${body.page}: ${message}`.slice(0, 500),
    });
    return undefined;
  }
  console.warn(`Report job ${body.jobId} page ${body.page}, attempt ${attempt}: ${message}`);
  const rateLimited = error instanceof JiraRequestError && error.status === 429;
  return later(
    backoffSeconds(attempt),
    { attempt },
    rateLimited
      ? InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED
      : InvocationErrorCode.FUNCTION_RETRY_REQUEST,
  );
}

/** Forge refuses every further push in this chain: retrying cannot help (also inside EnqueueError). */
function chainLimitReached(error: unknown): boolean {
  return (
    error instanceof InvocationLimitReachedError ||
    (error instanceof Error && error.cause instanceof InvocationLimitReachedError)
  );
}

function later(
  seconds: number,
  data: RetryData,
  reason: InvocationErrorCode = InvocationErrorCode.FUNCTION_RETRY_REQUEST,
): InvocationError {
  return new InvocationError({
    retryAfter: Math.min(900, Math.max(1, seconds)),
    retryReason: reason,
    retryData: data,
  });
}

/** Exponential backoff with full jitter, 1 s to 15 min. */
function backoffSeconds(attempt: number): number {
  return Math.max(1, Math.ceil(Math.random() * Math.min(900, 5 * 2 ** attempt)));
}
