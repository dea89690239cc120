// Background report jobs: start, cancel, read and list them. A job lists its Jira issues by JQL
// in one `scan` event on the `report-jobs` queue, which pushes every page's event at once, so
// pages run in parallel (see report-worker.ts); each writes per-issue metrics through the
// serialized writer. One job per report kind runs at a time.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { approximateCount, JiraRequestError } from './jira-pages';
import {
  DEFAULT_PAGE_SIZE,
  MAX_JOB_ISSUES,
  MAX_PAGE_SIZE,
  pushScan,
  REPORT_EVENT_VERSION,
  tooLargeMessage,
} from './report-events';
import {
  createJob,
  endJob,
  listJobs,
  loadJob,
  loadLock,
  recordFailedStart,
  START_GRACE_MS,
  sumShards,
  type ReportJobRecord,
} from './report-store';

import type { ReportJobView, ReportKind } from '../../shared/report-job-view';

export type { ReportJobView, ReportKind };

export const REPORT_KINDS: readonly ReportKind[] = ['time-in-status'];

/**
 * Every issue the app can see, in a stable order. Any clause bounds a query for the enhanced
 * search; this one holds on every site, and the local Jira's fixture (projects APP and OPS).
 */
export const DEFAULT_JQL = 'created >= "2000-01-01" ORDER BY key ASC';

/** Bad input to a report call: the caller's mistake, with a message fit to show. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

/** Job ids appear in command ids (`report:${jobId}:${issueId}`) and storage keys. */
export const jobIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/, 'job ids use letters, digits, dot, dash and underscore');

const startInput = z.object({
  kind: z.enum(['time-in-status']),
  trigger: z.enum(['manual', 'schedule']),
  requestedBy: z.string().min(1).max(128).optional(),
  jobId: jobIdSchema.optional(),
  jql: z.string().trim().min(1).max(2000).optional(),
});

/** The job could not be queued (its scan push kept failing); it is recorded as failed, with why. */
export class ReportQueueError extends Error {
  constructor(
    message: string,
    readonly job: ReportJobView,
  ) {
    super(message);
    this.name = 'ReportQueueError';
  }
}

/**
 * How long a start keeps retrying its scan push (Forge's 429 or 5xx) by default: a person waits
 * for the answer, and a resolver has 25 s in all.
 */
export const SCAN_PUSH_BUDGET_MS = 10_000;

export interface StartOptions {
  /** Issues per page (1..100). Default 50; grown (up to 100) for a job over 900 pages. */
  pageSize?: number;
  /** How long to keep retrying the scan push; default SCAN_PUSH_BUDGET_MS. */
  scanPushBudgetMs?: number;
}

const START_ATTEMPTS = 3;
/** Another start holds the lock and is writing its job: read again this many times, this far apart. */
const STARTING_READS = 4;
const STARTING_WAIT_MS = 250;

/**
 * Starts a job unless one of its kind is running; then the running job is returned with
 * `started: false`. A `jobId` makes the start idempotent: starting an existing id returns that job.
 */
export async function startReport(
  input: {
    kind: ReportKind;
    trigger: 'manual' | 'schedule';
    requestedBy?: string;
    jobId?: string;
    jql?: string;
  },
  options: StartOptions = {},
): Promise<{ started: boolean; job: ReportJobView }> {
  const parsed = startInput.safeParse(input);
  if (!parsed.success) throw new ReportInputError(describe(parsed.error));
  const { kind, trigger, requestedBy } = parsed.data;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new ReportInputError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  const jobId = parsed.data.jobId ?? randomUUID();
  const jql = parsed.data.jql ?? DEFAULT_JQL;

  if (parsed.data.jobId !== undefined) {
    const existing = await loadJob(jobId);
    if (existing) return { started: false, job: await viewOf(existing) };
  }
  const running = await runningJob(kind);
  if (running.job) return { started: false, job: await viewOf(running.job) };

  // Asking Jira first also checks the JQL: a bad query is refused before anything is stored.
  const total = await countIssues(jql);
  // Refused here when Jira's estimate is already too large; the scan checks the exact count.
  if (total !== undefined && total > MAX_JOB_ISSUES) throw new ReportInputError(tooLargeMessage(total));
  const job: ReportJobRecord = {
    jobId,
    kind,
    state: 'running',
    trigger,
    jql,
    startedAt: Date.now(),
    ...(total !== undefined ? { total } : {}),
    ...(requestedBy !== undefined ? { requestedBy } : {}),
  };
  // The scan is pushed before the job exists, so that a crash between the two cannot leave a
  // running job with no events: the scan waits a little for its job, and drops if none appears.
  // A push refused for longer than the budget ends the start as a failed job, with the reason.
  try {
    await pushScan(
      { v: REPORT_EVENT_VERSION, type: 'scan', jobId, pageSize },
      options.scanPushBudgetMs ?? SCAN_PUSH_BUDGET_MS,
    );
  } catch (error) {
    return failedStart(job, error);
  }
  let staleHolder = running.staleHolder;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    if (await createJob(job, staleHolder)) return { started: true, job: viewOfNew(job) };
    // Someone else started: the same job (a schedule firing twice) or another of this kind.
    const same = await loadJob(jobId);
    if (same) return { started: false, job: await viewOf(same) };
    const now = await runningJob(kind);
    if (now.job) return { started: false, job: await viewOf(now.job) };
    staleHolder = now.staleHolder;
  }
  throw new Error(`could not start the ${kind} report: its lock kept changing`);
}

async function failedStart(
  job: ReportJobRecord,
  error: unknown,
): Promise<{ started: boolean; job: ReportJobView }> {
  const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const reason = `could not queue the job (its scan push kept failing): ${why}`.slice(0, 500);
  const stored = await recordFailedStart({ ...job, state: 'failed', finishedAt: Date.now(), error: reason });
  // A start of the same job id that got there first (a schedule firing twice): that job stands.
  if (stored.state !== 'failed' || stored.startedAt !== job.startedAt)
    return { started: false, job: await viewOf(stored) };
  console.error(`Report job ${job.jobId} failed: ${reason}`);
  throw new ReportQueueError(reason, jobView(stored, { done: 0, failed: 0 }));
}

/** Cancels a running job; pages already at work finish, no page that starts after it does. */
export async function cancelReport(jobId: string): Promise<ReportJobView | undefined> {
  if (!jobIdSchema.safeParse(jobId).success) return undefined;
  const job = await endJob(jobId, { state: 'cancelled', finishedAt: Date.now() });
  return job ? viewOf(job) : undefined;
}

export async function getReport(jobId: string): Promise<ReportJobView | undefined> {
  if (!jobIdSchema.safeParse(jobId).success) return undefined;
  const job = await loadJob(jobId);
  return job ? viewOf(job) : undefined;
}

/** The most recent jobs of every kind, newest first. */
export async function listReports(limit = 20): Promise<ReportJobView[]> {
  const size = Number.isFinite(limit) ? Math.max(1, Math.min(100, Math.floor(limit))) : 20;
  const jobs = (await Promise.all(REPORT_KINDS.map((kind) => listJobs(kind, size))))
    .flat()
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, size);
  return Promise.all(jobs.map(viewOf));
}

/**
 * The job holding the kind's lock if it still runs; else the id of a lock left behind by an ended
 * job (or by a start that died before writing its job). A lock whose job is being written by
 * another start right now is read again a few times, until the job appears.
 */
async function runningJob(kind: ReportKind): Promise<{ job?: ReportJobRecord; staleHolder?: string }> {
  for (let read = 1; ; read++) {
    const lock = await loadLock(kind);
    if (!lock) return {};
    const holder = await loadJob(lock.jobId);
    if (holder) return holder.state === 'running' ? { job: holder } : { staleHolder: lock.jobId };
    if (Date.now() - lock.acquiredAt >= START_GRACE_MS) return { staleHolder: lock.jobId };
    if (read >= STARTING_READS)
      throw new Error(`another start of the ${kind} report is in progress; try again in a minute`);
    await new Promise((resolve) => setTimeout(resolve, STARTING_WAIT_MS));
  }
}

async function countIssues(jql: string): Promise<number | undefined> {
  try {
    return await approximateCount(jql);
  } catch (error) {
    if (error instanceof JiraRequestError && error.status === 400)
      throw new ReportInputError(`Jira refused the JQL: ${error.message}`);
    // The count only feeds the progress bar; the job runs without it.
    console.warn(
      `Could not count the report's issues: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}

/** A finished job carries exact totals; any other sums its progress shards (one query). */
async function viewOf(job: ReportJobRecord): Promise<ReportJobView> {
  return jobView(job, finished(job) ? { done: 0, failed: 0 } : await sumShards(job.jobId));
}

function finished(job: ReportJobRecord): boolean {
  return job.state === 'done' && job.done !== undefined && job.failed !== undefined;
}

/** The job as callers see it, given the sum of its progress shards (ignored once it is done). */
export function jobView(job: ReportJobRecord, progress: { done: number; failed: number }): ReportJobView {
  return finished(job)
    ? view(job, job.done ?? 0, job.failed ?? 0)
    : view(job, progress.done, progress.failed);
}

function viewOfNew(job: ReportJobRecord): ReportJobView {
  return view(job, 0, 0);
}

function view(job: ReportJobRecord, done: number, failed: number): ReportJobView {
  return {
    jobId: job.jobId,
    kind: job.kind,
    state: job.state,
    trigger: job.trigger,
    jql: job.jql,
    total: job.total ?? null,
    done,
    failed,
    startedAt: job.startedAt,
    ...(job.finishedAt !== undefined ? { finishedAt: job.finishedAt } : {}),
    ...(job.requestedBy !== undefined ? { requestedBy: job.requestedBy } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
}
