// The events that drive a report job, on the job's own queue. The start pushes one `scan` event;
// the scan lists the job's issue ids and pushes every page's event at once, so pages run in
// parallel. A page event carries its own issue ids: a redelivered page redoes exactly its issues.
import { InternalServerError, PartialSuccessError, Queue, RateLimitError } from '@forge/events';
import { z } from 'zod';
import { BACKOFF, backoffMs } from '../../shared/writer';

export const REPORT_QUEUE = 'report-jobs';
/** 2: scan + parallel pages. Version 1 was one page per event, each pushing the next. */
export const REPORT_EVENT_VERSION = 2;
/** Issues per page by default: one event, one command push and one progress write per page. */
export const DEFAULT_PAGE_SIZE = 50;
/** The enhanced search returns at most 100 issues per page when fields are asked for. */
export const MAX_PAGE_SIZE = 100;
/** Forge: at most 50 events per push request. */
export const PAGE_EVENTS_PER_PUSH = 50;
/** Forge refuses the 1001st push request in the chain of events one invocation starts. */
export const CHAIN_PUSH_LIMIT = 1000;
/**
 * The chain a job starts: the start's push of the scan (1), the scan's pushes of the page events
 * (ceil(pages / 50)), and each page's one push of its commands (100 report commands are about
 * 40 KB, one push). 900 pages use 919 pushes; the other 81 are room for a scan redelivered before
 * it recorded its pages (18 more pushes) and for pushes that Forge refused and enqueue retried.
 */
export const MAX_JOB_PAGES = 900;
/** The largest job: 900 pages of 100 issues. */
export const MAX_JOB_ISSUES = MAX_JOB_PAGES * MAX_PAGE_SIZE;

/** The push requests a job of `pages` pages makes in its chain, without retries. */
export function chainPushes(pages: number): number {
  return 1 + Math.ceil(pages / PAGE_EVENTS_PER_PUSH) + pages;
}

/**
 * The page size for a job over `total` issues: as asked, or larger (up to 100) so the job stays
 * within MAX_JOB_PAGES; undefined when even pages of 100 would be too many.
 */
export function pageSizeFor(requested: number, total: number): number | undefined {
  if (total > MAX_JOB_ISSUES) return undefined;
  return Math.min(MAX_PAGE_SIZE, Math.max(requested, Math.ceil(total / MAX_JOB_PAGES)));
}

export function tooLargeMessage(total: number): string {
  return (
    `the query matches ${total} issues; a report job covers at most ${MAX_JOB_ISSUES} ` +
    `(${MAX_JOB_PAGES} pages of ${MAX_PAGE_SIZE}, Forge's ${CHAIN_PUSH_LIMIT}-push chain limit): narrow the JQL`
  );
}

const jobId = z.string().min(1).max(64);

export const scanEventBody = z.object({
  v: z.literal(REPORT_EVENT_VERSION),
  type: z.literal('scan'),
  jobId,
  /** Issues per page as asked; the scan may grow it (pageSizeFor). */
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE),
});

export const pageEventBody = z.object({
  v: z.literal(REPORT_EVENT_VERSION),
  type: z.literal('page'),
  jobId,
  /** The page's index: its progress shard's key. */
  page: z.number().int().nonnegative(),
  issueIds: z.array(z.string().min(1).max(32)).min(1).max(MAX_PAGE_SIZE),
});

export const reportEventBody = z.discriminatedUnion('type', [scanEventBody, pageEventBody]);

/** An event of the chained design (version 1), still in flight when the app was upgraded. */
export const legacyEventBody = z.object({ v: z.literal(1), jobId, page: z.number().int() });

export type ScanEventBody = z.infer<typeof scanEventBody>;
export type PageEventBody = z.infer<typeof pageEventBody>;
export type ReportEventBody = z.infer<typeof reportEventBody>;

const queue = () => new Queue({ key: REPORT_QUEUE });

/**
 * Pushes a job's scan event. A push Forge refuses for now (429, 5xx, the event refused) is tried
 * again with the writer's push backoff for up to `budgetMs`, then the last error is thrown.
 */
export async function pushScan(body: ScanEventBody, budgetMs = 0): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await queue().push([{ body: body as unknown as Record<string, unknown> }]);
      return;
    } catch (error) {
      const retryable =
        error instanceof RateLimitError ||
        error instanceof InternalServerError ||
        error instanceof PartialSuccessError;
      const policy = error instanceof RateLimitError ? BACKOFF.pushRateLimited : BACKOFF.push;
      const left = deadline - Date.now();
      if (!retryable || left < policy.minMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, backoffMs(policy, attempt))));
    }
  }
}

/** Page events over `ids`, numbered from `firstPage`, `pageSize` ids each. */
export function pageEvents(
  jobId: string,
  ids: readonly string[],
  pageSize: number,
  firstPage = 0,
): PageEventBody[] {
  const pages: PageEventBody[] = [];
  for (let start = 0; start < ids.length; start += pageSize) {
    pages.push({
      v: REPORT_EVENT_VERSION,
      type: 'page',
      jobId,
      page: firstPage + pages.length,
      issueIds: ids.slice(start, start + pageSize),
    });
  }
  return pages;
}

/**
 * Forge allows an installation 500 events a minute, counted when they are pushed, and every page
 * costs two (its own and its commands'). The scan pushes this many pages a minute (a wave, two
 * pushes), 200 of the 500 events, leaving the rest to the app's other producers; 900 pages take 9.
 */
export const PAGES_PER_WAVE = 100;
export const WAVE_SECONDS = 60;

/** Pushes page events, 50 to a push. 50 events of 100 ids are about 60 KB, under Forge's 200 KB. */
export async function pushPages(pages: readonly PageEventBody[]): Promise<void> {
  for (let i = 0; i < pages.length; i += PAGE_EVENTS_PER_PUSH) {
    const chunk = pages.slice(i, i + PAGE_EVENTS_PER_PUSH);
    await queue().push(chunk.map((body) => ({ body: body as unknown as Record<string, unknown> })));
  }
}
