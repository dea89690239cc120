// Report jobs in Forge storage: the job record, one progress shard per page, and one lock per
// report kind. Each page writes only its own shard, so progress never funnels every worker into
// one hot record; the job's view sums the shards.
import { Filter, FilterConditions, kvs, Sort } from '@forge/kvs';
import { isCommitConflict, writeUnlessConflict } from '../../shared/writer';
import type { ReportJobView, ReportKind } from '../../shared/report-job-view';

export const REPORT_ENTITY = {
  job: 'report-job',
  progress: 'report-progress',
  lock: 'report-lock',
} as const;

export type ReportState = ReportJobView['state'];
export type ReportTrigger = ReportJobView['trigger'];

/** One per job, keyed by job id. `done`/`failed`/`total` are exact once the job is `done`. */
export interface ReportJobRecord {
  jobId: string;
  kind: ReportKind;
  state: ReportState;
  trigger: ReportTrigger;
  jql: string;
  startedAt: number;
  finishedAt?: number;
  /** Jira's approximate count at the start; the number of issues the scan listed, once it has. */
  total?: number;
  /** How many page events the scan pushed; absent until it has pushed them all. */
  pages?: number;
  done?: number;
  failed?: number;
  requestedBy?: string;
  /** Why a failed job failed. */
  error?: string;
}

/** One per page of a job, keyed `${jobId}:${page}`, written once (FAIL_IF_EXISTS) by that page. */
export interface ProgressShard {
  jobId: string;
  page: number;
  done: number;
  failed: number;
  writtenAt: number;
}

/** One per report kind, keyed by kind, while a job of that kind runs. */
export interface ReportLock {
  kind: ReportKind;
  jobId: string;
  acquiredAt: number;
}

/**
 * A job whose events died for good (every retry failed) never releases its lock; the TTL does,
 * well inside a day so the next daily schedule can start. Far longer than any job runs: its pages
 * run in parallel, and Forge's 1000-push chain limit caps a job at 900 pages.
 */
export const LOCK_TTL = { value: 12, unit: 'HOURS' } as const;
/** Job history and its shards clean themselves up. */
export const RECORD_TTL = { value: 90, unit: 'DAYS' } as const;

export const shardKey = (jobId: string, page: number) => `${jobId}:${page}`;

export async function loadJob(jobId: string): Promise<ReportJobRecord | undefined> {
  return kvs.entity<ReportJobRecord>(REPORT_ENTITY.job).get(jobId);
}

export async function loadLock(kind: ReportKind): Promise<ReportLock | undefined> {
  return kvs.entity<ReportLock>(REPORT_ENTITY.lock).get(kind);
}

/**
 * Creates the job and takes its kind's lock in one transaction: both or neither. `staleHolder` is
 * the job id of a lock whose job has ended without releasing it; it is replaced only if unchanged.
 * Returns false when another start got there first.
 */
export async function createJob(job: ReportJobRecord, staleHolder?: string): Promise<boolean> {
  const lock: ReportLock = { kind: job.kind, jobId: job.jobId, acquiredAt: job.startedAt };
  const lockFree = new Filter<ReportLock>().and(
    'jobId',
    staleHolder === undefined ? FilterConditions.notExists() : FilterConditions.equalTo(staleHolder),
  );
  return writeUnlessConflict(() =>
    kvs
      .transact()
      .set(job.kind, lock, { entityName: REPORT_ENTITY.lock, conditions: lockFree }, { ttl: LOCK_TTL })
      .set(
        job.jobId,
        job,
        {
          entityName: REPORT_ENTITY.job,
          conditions: new Filter<ReportJobRecord>().and('jobId', FilterConditions.notExists()),
        },
        { ttl: RECORD_TTL },
      )
      .execute(),
  );
}

export type JobEnding = Pick<ReportJobRecord, 'state' | 'finishedAt'> &
  Partial<Pick<ReportJobRecord, 'total' | 'done' | 'failed' | 'error'>>;

/**
 * Moves a running job to an end state and releases its lock, in one transaction conditioned on
 * the job still running: a cancel racing the last page ends the job once. Returns the job as
 * stored afterwards (unchanged if it had already ended).
 */
export async function endJob(jobId: string, ending: JobEnding): Promise<ReportJobRecord | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const job = await loadJob(jobId);
    if (!job || job.state !== 'running') return job;
    const ended: ReportJobRecord = { ...job, ...ending };
    const lock = await loadLock(job.kind);
    const tx = kvs.transact().set(
      jobId,
      ended,
      {
        entityName: REPORT_ENTITY.job,
        conditions: new Filter<ReportJobRecord>().and('state', FilterConditions.equalTo('running')),
      },
      { ttl: RECORD_TTL },
    );
    // The lock is released only if it is still this job's (it may have expired and been retaken).
    if (lock?.jobId === jobId) {
      tx.delete(job.kind, {
        entityName: REPORT_ENTITY.lock,
        conditions: new Filter<ReportLock>().and('jobId', FilterConditions.equalTo(jobId)),
      });
    }
    try {
      await tx.execute();
      return ended;
    } catch (error) {
      if (!isCommitConflict(error)) throw error;
    }
  }
  throw new Error(`report job ${jobId} kept changing while it was being ended`);
}

/**
 * Records what the scan found, only while the job runs (a cancel in between wins). Returns false
 * when the job is no longer running.
 */
export async function recordListing(
  job: ReportJobRecord,
  listing: { total: number; pages: number },
): Promise<boolean> {
  // A transaction: the one way to make a write conditional on the stored record.
  return writeUnlessConflict(() =>
    kvs
      .transact()
      .set(
        job.jobId,
        { ...job, ...listing },
        {
          entityName: REPORT_ENTITY.job,
          conditions: new Filter<ReportJobRecord>().and('state', FilterConditions.equalTo('running')),
        },
        { ttl: RECORD_TTL },
      )
      .execute(),
  );
}

/** Writes a page's shard unless one exists. Returns false if the page was already recorded. */
export async function writeShard(shard: ProgressShard): Promise<boolean> {
  return writeUnlessConflict(() =>
    kvs
      .entity<ProgressShard>(REPORT_ENTITY.progress)
      .set(shardKey(shard.jobId, shard.page), shard, { keyPolicy: 'FAIL_IF_EXISTS', ttl: RECORD_TTL }),
  );
}

export interface ProgressSum {
  done: number;
  failed: number;
  pages: number;
}

/** A job's shards in page order, fetched 100 to a query as the caller reads on. */
async function* shardsInPageOrder(jobId: string): AsyncGenerator<ProgressShard> {
  let cursor: string | undefined;
  do {
    let query = kvs
      .entity<ProgressShard>(REPORT_ENTITY.progress)
      .query()
      .index('by-job', { partition: [jobId] })
      .limit(100);
    if (cursor) query = query.cursor(cursor);
    const result = await query.getMany();
    for (const { value } of result.results) yield value;
    cursor = result.nextCursor;
  } while (cursor);
}

/** Sums a job's shards: one query per 100 pages (5000 issues at the default page size). */
export async function sumShards(jobId: string): Promise<ProgressSum> {
  const sum: ProgressSum = { done: 0, failed: 0, pages: 0 };
  for await (const shard of shardsInPageOrder(jobId)) {
    sum.done += shard.done;
    sum.failed += shard.failed;
    sum.pages += 1;
  }
  return sum;
}

/**
 * Whether pages 0..pages-1 all have shards, with their sums. Shards come back in page order, so
 * the check stops at the first missing page: a page finishing early usually pays one query, and
 * only the last pages read them all (9 queries at 900 pages).
 */
export async function completion(
  jobId: string,
  pages: number,
): Promise<{ complete: false } | { complete: true; done: number; failed: number }> {
  let done = 0;
  let failed = 0;
  let next = 0;
  for await (const shard of shardsInPageOrder(jobId)) {
    if (shard.page >= pages) break;
    if (shard.page !== next) return { complete: false };
    done += shard.done;
    failed += shard.failed;
    next += 1;
  }
  return next >= pages ? { complete: true, done, failed } : { complete: false };
}

/** A kind's most recent jobs, newest first. */
export async function listJobs(kind: ReportKind, limit: number): Promise<ReportJobRecord[]> {
  const page = await kvs
    .entity<ReportJobRecord>(REPORT_ENTITY.job)
    .query()
    .index('by-kind', { partition: [kind] })
    .sort(Sort.DESC)
    .limit(limit)
    .getMany();
  return page.results.map((r) => r.value);
}
