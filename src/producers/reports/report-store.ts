// Report jobs in Forge storage: the job record, one progress shard per page, and one lock per
// report kind. Each page writes only its own shard, so progress never funnels every worker into
// one hot record; the job's view sums the shards.
//
// Two things Forge leaves open are never relied on (docs/platform.md, "Unconfirmed"): whether a
// condition on a key that does not exist passes, and which error a failed condition or a
// FAIL_IF_EXISTS clash raises. Records are created with FAIL_IF_EXISTS, conditions are put only on
// records just read, and whether a failed write lost a race is decided by reading back, never from
// the error's code. Every query follows its cursor to the end: a page may be short, or empty,
// while more follow.
import { Filter, FilterConditions, kvs, Sort } from '@forge/kvs';
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
 * A lock naming a job whose record is not there yet is a start in progress (the lock is taken,
 * then the record written) for this long; after that it was left behind by a start that died, and
 * may be taken over.
 */
export const START_GRACE_MS = 60_000;

/**
 * Takes the kind's lock for `job`, then creates the job's record: true if this start did both,
 * false when another start holds the lock. `staleHolder` is the job id of a lock left behind (its
 * job ended, or never appeared); it is replaced only if the lock still names it. If the record
 * cannot be written, the lock is released and the error thrown.
 */
export async function createJob(job: ReportJobRecord, staleHolder?: string): Promise<boolean> {
  // Stamped now, not at the job's start: the grace above counts from the lock's write.
  if (!(await takeLock({ kind: job.kind, jobId: job.jobId, acquiredAt: Date.now() }, staleHolder)))
    return false;
  try {
    await createRecord(job);
  } catch (error) {
    await releaseLock(job.kind, job.jobId).catch(() => undefined); // else START_GRACE_MS frees it
    throw error;
  }
  return true;
}

async function takeLock(lock: ReportLock, staleHolder: string | undefined): Promise<boolean> {
  try {
    if (staleHolder === undefined) {
      await kvs
        .entity<ReportLock>(REPORT_ENTITY.lock)
        .set(lock.kind, lock, { keyPolicy: 'FAIL_IF_EXISTS', ttl: LOCK_TTL });
    } else {
      // The lock was just read naming staleHolder: a condition on a record that exists.
      await kvs
        .transact()
        .set(
          lock.kind,
          lock,
          {
            entityName: REPORT_ENTITY.lock,
            conditions: new Filter<ReportLock>().and('jobId', FilterConditions.equalTo(staleHolder)),
          },
          { ttl: LOCK_TTL },
        )
        .execute();
    }
    return true;
  } catch (error) {
    const now = await loadLock(lock.kind);
    // Written after all (an answer lost on the way), or by a start of the same job id.
    if (now?.jobId === lock.jobId) return true;
    // Nothing changed: the write failed for its own reasons.
    if (now?.jobId === staleHolder) throw error;
    return false; // another start took it, or it expired: the caller reads again
  }
}

/** Creates a job's record. Throws unless it exists afterwards (written now, or by a start of the same id). */
async function createRecord(job: ReportJobRecord): Promise<void> {
  try {
    await kvs
      .entity<ReportJobRecord>(REPORT_ENTITY.job)
      .set(job.jobId, job, { keyPolicy: 'FAIL_IF_EXISTS', ttl: RECORD_TTL });
  } catch (error) {
    if (!(await loadJob(job.jobId))) throw error;
  }
}

/** Releases the kind's lock if it still names the job. */
async function releaseLock(kind: ReportKind, jobId: string): Promise<void> {
  const lock = await loadLock(kind);
  if (lock?.jobId !== jobId) return;
  await kvs
    .transact()
    .delete(kind, {
      entityName: REPORT_ENTITY.lock,
      conditions: new Filter<ReportLock>().and('jobId', FilterConditions.equalTo(jobId)),
    })
    .execute();
}

/**
 * Records a start that could not queue its job as a failed job (no lock), so an admin sees it.
 * Returns what is stored under the job's id afterwards: this record, or a job of the same id that
 * got there first.
 */
export async function recordFailedStart(job: ReportJobRecord): Promise<ReportJobRecord> {
  await createRecord(job);
  return (await loadJob(job.jobId)) ?? job;
}

export type JobEnding = Pick<ReportJobRecord, 'state' | 'finishedAt'> &
  Partial<Pick<ReportJobRecord, 'total' | 'done' | 'failed' | 'error'>>;

/**
 * Moves a running job to an end state and releases its lock, in one transaction conditioned on
 * the job still running: a cancel racing the last page ends the job once. Returns the job as
 * stored afterwards (unchanged if it had already ended).
 */
export async function endJob(jobId: string, ending: JobEnding): Promise<ReportJobRecord | undefined> {
  let failure: unknown;
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
      // Whatever the error says: the next read decides (the job ended meanwhile, or try again).
      failure = error;
    }
  }
  throw new Error(`report job ${jobId} could not be ended`, { cause: failure });
}

/**
 * Records what the scan found, only while the job runs (a cancel in between wins). Returns false
 * when the job is no longer running.
 */
export async function recordListing(
  job: ReportJobRecord,
  listing: { total: number; pages: number },
): Promise<boolean> {
  try {
    // A transaction: the one way to make a write conditional on the stored record (which exists).
    await kvs
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
      .execute();
    return true;
  } catch (error) {
    const now = await loadJob(job.jobId);
    if (now?.state !== 'running') return false;
    if (now.pages === listing.pages && now.total === listing.total) return true;
    throw error;
  }
}

/** Writes a page's shard unless one exists. Returns false if the page was already recorded. */
export async function writeShard(shard: ProgressShard): Promise<boolean> {
  const key = shardKey(shard.jobId, shard.page);
  try {
    await kvs
      .entity<ProgressShard>(REPORT_ENTITY.progress)
      .set(key, shard, { keyPolicy: 'FAIL_IF_EXISTS', ttl: RECORD_TTL });
    return true;
  } catch (error) {
    if ((await kvs.entity<ProgressShard>(REPORT_ENTITY.progress).get(key)) === undefined) throw error;
    return false;
  }
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

/** A kind's most recent jobs, newest first: pages followed until `limit` jobs or the end. */
export async function listJobs(kind: ReportKind, limit: number): Promise<ReportJobRecord[]> {
  const jobs: ReportJobRecord[] = [];
  let cursor: string | undefined;
  do {
    let query = kvs
      .entity<ReportJobRecord>(REPORT_ENTITY.job)
      .query()
      .index('by-kind', { partition: [kind] })
      .sort(Sort.DESC)
      .limit(limit);
    if (cursor) query = query.cursor(cursor);
    const page = await query.getMany();
    jobs.push(...page.results.map((r) => r.value));
    cursor = page.nextCursor;
  } while (cursor && jobs.length < limit);
  return jobs.slice(0, limit);
}
