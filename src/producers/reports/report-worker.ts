// The consumer of the `report-jobs` queue. A job's one `scan` event lists the issue ids its JQL
// matches and pushes every page's event at once, so the pages run in parallel; each page event
// measures its issues, enqueues their commands, writes its progress shard (its one write), and
// ends the job if it finds every page's shard written.
//
// Forge delivers at least once, so any event can run twice. A page redone enqueues the same
// command ids (the writer applies each once), finds its shard written (FAIL_IF_EXISTS: counted
// once), and runs the completion check again: a page that died between its shard and the check
// cannot stall the job. Ending is a transaction conditioned on the job running, so of two pages
// racing to end it one wins and the other finds it done.
import { InvocationError, InvocationErrorCode, InvocationLimitReachedError } from '@forge/events';
import { z } from 'zod';
import { BACKOFF, backoffSeconds } from '../../shared/writer';
import { fetchIssues, JiraRequestError, listIssueIds } from './jira-pages';
import { reportOnPage } from './page-metrics';
import {
  legacyEventBody,
  pageEvents,
  pageSizeFor,
  pushPages,
  reportEventBody,
  tooLargeMessage,
  MAX_JOB_ISSUES,
  MAX_JOB_PAGES,
  PAGES_PER_WAVE,
  WAVE_SECONDS,
  type PageEventBody,
  type ReportEventBody,
  type ScanEventBody,
} from './report-events';
import { completion, endJob, loadJob, recordListing, writeShard, type ReportJobRecord } from './report-store';

/** An event failing this often (Jira or storage down) fails the job rather than retrying all day. */
export const MAX_PAGE_ATTEMPTS = 8;
/** The start pushes the scan just before it creates the job; the scan waits this many times for it. */
const JOB_WAIT_ATTEMPTS = 3;
const JOB_WAIT_SECONDS = 10;

interface ReportEvent {
  body: unknown;
  eventId?: string;
  retryContext?: { retryCount?: number; retryData?: unknown };
}

const retryData = z.object({
  attempt: z.number().int().nonnegative(),
  /** A scan between waves: the pages it pushed so far and where in the listing it stopped. */
  scan: z
    .object({
      pageSize: z.number().int().min(1),
      pages: z.number().int().nonnegative(),
      issues: z.number().int().nonnegative(),
      lastId: z.string(),
    })
    .optional(),
});
type RetryData = z.infer<typeof retryData>;

type Outcome = InvocationError | undefined;

export async function handler(event: ReportEvent): Promise<Outcome> {
  const parsed = reportEventBody.safeParse(event.body);
  if (!parsed.success) return unreadable(event);
  const body = parsed.data;
  const data = retryData.safeParse(event.retryContext?.retryData);
  const retry: RetryData = data.success ? data.data : { attempt: event.retryContext?.retryCount ?? 0 };
  try {
    return body.type === 'scan' ? await runScan(body, retry) : await runPage(body);
  } catch (error) {
    return retryOrFail(body, retry, error);
  }
}

async function runScan(body: ScanEventBody, retry: RetryData): Promise<Outcome> {
  const job = await loadJob(body.jobId);
  if (!job) {
    if (retry.attempt < JOB_WAIT_ATTEMPTS) return later(JOB_WAIT_SECONDS, { attempt: retry.attempt + 1 });
    console.warn(`Report job ${body.jobId} does not exist; its scan dropped`);
    return undefined;
  }
  if (job.state !== 'running') return undefined;
  // A scan delivered again after recording its pages: they are all on their way; only re-check.
  if (job.pages !== undefined) return endIfComplete(job, job.pages);

  const ids: string[] = [];
  let token: string | undefined;
  do {
    const listed = await listIssueIds(job.jql, token);
    ids.push(...listed.ids);
    token = listed.nextPageToken;
    // Stops listing early: the job fails anyway, and the listing could be huge.
    if (ids.length > MAX_JOB_ISSUES) break;
  } while (token !== undefined);

  // A later wave lists again and goes on after the last id the previous wave pushed, so an issue
  // created or deleted in between cannot shift an issue out of every page.
  const done = retry.scan;
  const resumeAt = done ? ids.indexOf(done.lastId) + 1 || done.issues : 0;
  const remaining = ids.slice(resumeAt);
  const total = (done?.issues ?? 0) + remaining.length;
  const pageSize = done?.pageSize ?? pageSizeFor(body.pageSize, total);
  if (pageSize === undefined) return fail(job.jobId, `scan: ${tooLargeMessage(total)}`);
  const firstPage = done?.pages ?? 0;
  const pages = Math.ceil(remaining.length / pageSize) + firstPage;
  if (pages > MAX_JOB_PAGES) return fail(job.jobId, `scan: ${tooLargeMessage(total)}`);

  const wave = remaining.slice(0, PAGES_PER_WAVE * pageSize);
  await pushPages(pageEvents(job.jobId, wave, pageSize, firstPage));
  if (wave.length < remaining.length) {
    const scan = {
      pageSize,
      pages: firstPage + Math.ceil(wave.length / pageSize),
      issues: (done?.issues ?? 0) + wave.length,
      lastId: wave[wave.length - 1]!,
    };
    // The next wave in a minute, when Forge's event quota has room again.
    return later(WAVE_SECONDS, { attempt: retry.attempt, scan });
  }
  // Recorded only once every page event is pushed: a scan delivered again finds the pages on
  // their way and only re-runs the completion check (they may all have finished before the record).
  if (!(await recordListing(job, { total, pages }))) return undefined;
  return endIfComplete({ ...job, total, pages }, pages);
}

async function runPage(body: PageEventBody): Promise<Outcome> {
  const job = await loadJob(body.jobId);
  if (!job) {
    console.warn(`Report job ${body.jobId} does not exist; page ${body.page} dropped`);
    return undefined;
  }
  // A cancelled (or ended) job stops here: no work.
  if (job.state !== 'running') return undefined;
  const issues = await fetchIssues(body.issueIds);
  const outcome = await reportOnPage(job, issues);
  // Issues listed by the scan but deleted or hidden since: nothing to measure.
  const gone = body.issueIds.length - issues.length;
  if (gone > 0) console.warn(`Report ${job.jobId} page ${body.page}: ${gone} issues are gone since the scan`);
  await writeShard({
    jobId: job.jobId,
    page: body.page,
    done: outcome.done,
    failed: outcome.failed + gone,
    writtenAt: Date.now(),
  });
  if (job.pages !== undefined) return endIfComplete(job, job.pages);
  // The scan was still pushing when this page began. It records the page count, then checks;
  // this page wrote its shard, then reads the count: one of the two sees the other.
  const now = await loadJob(job.jobId);
  return now?.state === 'running' && now.pages !== undefined ? endIfComplete(now, now.pages) : undefined;
}

/** Ends the job as `done`, with exact totals, if every page has its shard. */
async function endIfComplete(job: ReportJobRecord, pages: number): Promise<Outcome> {
  const result = await completion(job.jobId, pages);
  if (!result.complete) return undefined;
  const { done, failed } = result;
  await endJob(job.jobId, { state: 'done', finishedAt: Date.now(), total: done + failed, done, failed });
  return undefined;
}

async function fail(jobId: string, error: string): Promise<Outcome> {
  // If even this write fails, throwing hands the event back to the platform's retries.
  await endJob(jobId, { state: 'failed', finishedAt: Date.now(), error: error.slice(0, 500) });
  return undefined;
}

async function retryOrFail(body: ReportEventBody, retry: RetryData, error: unknown): Promise<Outcome> {
  const attempt = retry.attempt + 1;
  const message = error instanceof Error ? error.message : String(error);
  const where = body.type === 'scan' ? 'scan' : `page ${body.page}`;
  const permanent = (error instanceof JiraRequestError && !error.retryable) || chainLimitReached(error);
  if (permanent || attempt >= MAX_PAGE_ATTEMPTS) {
    console.error(`Report job ${body.jobId} failed on ${where}: ${message}`);
    return fail(body.jobId, `${where}: ${message}`);
  }
  console.warn(`Report job ${body.jobId} ${where}, attempt ${attempt}: ${message}`);
  const rateLimited = error instanceof JiraRequestError && error.status === 429;
  return later(
    backoffSeconds(BACKOFF.reportRedelivery, attempt),
    { attempt, ...(retry.scan ? { scan: retry.scan } : {}) },
    rateLimited
      ? InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED
      : InvocationErrorCode.FUNCTION_RETRY_REQUEST,
  );
}

/** An event this version cannot read: logged and dropped, since retrying cannot make it readable. */
async function unreadable(event: ReportEvent): Promise<Outcome> {
  const legacy = legacyEventBody.safeParse(event.body);
  if (legacy.success) {
    // A page of the chained design, in flight across an upgrade: nothing would push its next page.
    return fail(legacy.data.jobId, 'interrupted by an app upgrade; start the report again');
  }
  console.error(`Report event ${event.eventId ?? '?'} is malformed`);
  return undefined;
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
