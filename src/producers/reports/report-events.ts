// The events that drive a report job: one per page, on the job's own queue, each pushed by the
// page before it. The body carries everything a redelivered event needs to redo its page exactly:
// the page number (its progress shard's key), Jira's token for the page, and the running tallies
// of the pages before it, so the last page can record exact totals without a query.
import { Queue } from '@forge/events';
import { z } from 'zod';

export const REPORT_QUEUE = 'report-jobs';
export const PAGE_EVENT_VERSION = 1;
/** Issues per page by default: one event, one command push and one progress write per page. */
export const DEFAULT_PAGE_SIZE = 50;
/** The enhanced search returns at most 100 issues per page when fields are asked for. */
export const MAX_PAGE_SIZE = 100;
/**
 * Forge allows 1000 push requests in a chain of events started by one invocation, and each page
 * pushes twice (its commands, then the next page). Pages are made larger so a job stays under
 * this many pages, with room for retries' pushes; past 100 issues a page, a job this large fails
 * with Forge's InvocationLimitReachedError on the page that hits the limit.
 */
export const MAX_CHAIN_PAGES = 450;

/** The page size for a job over `total` issues: as asked, or larger to fit the chain limit. */
export function pageSizeFor(requested: number, total: number | undefined): number {
  const needed = total === undefined ? requested : Math.ceil(total / MAX_CHAIN_PAGES);
  return Math.min(MAX_PAGE_SIZE, Math.max(requested, needed));
}

export const pageEventBody = z.object({
  v: z.literal(PAGE_EVENT_VERSION),
  jobId: z.string().min(1).max(64),
  page: z.number().int().nonnegative(),
  /** Absent for the first page. */
  pageToken: z.string().min(1).optional(),
  pageSize: z.number().int().min(1).max(100),
  /** Issues done and failed on pages before this one. */
  doneBefore: z.number().int().nonnegative(),
  failedBefore: z.number().int().nonnegative(),
});

export type PageEventBody = z.infer<typeof pageEventBody>;

export async function pushPage(body: PageEventBody): Promise<void> {
  await new Queue({ key: REPORT_QUEUE }).push([{ body: body as unknown as Record<string, unknown> }]);
}
