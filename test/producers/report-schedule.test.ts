// One report job per kind at a time, however it is started: a start while one runs returns the
// running job; two starts at once start one; the daily schedule firing twice starts one job; a
// lock left behind by an ended job, or expired, does not block the kind for ever.
import { kvs } from '@forge/kvs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { scheduledJobId } from '../../src/producers/report-schedule.js';
import { getReport, listReports } from '../../src/producers/reports/report-jobs.js';
import {
  fixtureIssues,
  JOB_START,
  lockOf,
  progressWrites,
  reportsVersusExpected,
  shards,
  REPORT_PLATFORMS,
  startApp,
  startJob,
  usePlatform,
} from './report-harness.js';

let rt: LocalForgeRuntime;
afterEach(() => rt?.close());

const jobRecords = () => rt.storage.listEntity('report-job').map((i) => i.value as { jobId: string });

describe.each(REPORT_PLATFORMS)('one report job per kind (%s platform)', (platform) => {
  beforeAll(() => usePlatform(platform));

  it('a start while a job runs returns the running job', async () => {
    rt = await startApp();
    const first = await startJob(rt, 5);
    const second = await startJob(rt, 5, { requestedBy: 'user-viewer' });
    expect(second).toEqual({
      started: false,
      job: expect.objectContaining({ jobId: first.job.jobId }) as unknown,
    });
    expect(jobRecords()).toHaveLength(1);
    // The lock carries a safety TTL, so a job whose events die cannot hold the kind for ever.
    const [lock] = rt.storage.listEntity('report-lock');
    expect(Date.parse(lock!.expireTime!)).toBe(JOB_START + 12 * 3_600_000);
    await rt.runUntilIdle();
    const third = await startJob(rt, 5);
    expect(third.started).toBe(true);
    expect(third.job.jobId).not.toBe(first.job.jobId);
  });

  it('two starts at once start one job', async () => {
    rt = await startApp();
    const results = await Promise.all([startJob(rt, 10), startJob(rt, 10), startJob(rt, 10)]);
    expect(results.filter((r) => r.started)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.jobId)).size).toBe(1);
    await rt.runUntilIdle();
    expect(jobRecords()).toHaveLength(1);
    const jobId = results[0]!.job.jobId;
    expect(await rt.runAsApp(() => getReport(jobId))).toMatchObject({
      state: 'done',
      done: fixtureIssues().length,
    });
  });

  it('a schedule firing twice starts one job, named for the day', async () => {
    rt = await startApp({ trace: true });
    await rt.runScheduledTrigger('daily-report');
    await rt.runScheduledTrigger('daily-report');
    await rt.runUntilIdle();
    const jobId = scheduledJobId(JOB_START);
    expect(jobId).toBe('scheduled-2026-01-12');
    expect(jobRecords().map((j) => j.jobId)).toEqual([jobId]);
    const { actual, wanted } = reportsVersusExpected(rt, jobId);
    expect(actual).toEqual(wanted);
    expect(await rt.runAsApp(() => getReport(jobId))).toMatchObject({
      trigger: 'schedule',
      state: 'done',
      done: fixtureIssues().length,
    });
    // Once the day's job is done, another firing that day still starts nothing.
    await rt.runScheduledTrigger('daily-report');
    await rt.runUntilIdle();
    expect(jobRecords()).toHaveLength(1);
  });

  it('a schedule firing twice at the same moment starts one job and counts each page once', async () => {
    rt = await startApp({ trace: true });
    const runs = await Promise.all([
      rt.runScheduledTrigger('daily-report'),
      rt.runScheduledTrigger('daily-report'),
    ]);
    expect(runs.map((r) => r.outcome.status)).toEqual(['returned', 'returned']);
    await rt.runUntilIdle();
    const jobId = scheduledJobId(JOB_START);
    expect(jobRecords().map((j) => j.jobId)).toEqual([jobId]);
    // Both invocations pushed a scan; the pages either pushed count once each.
    expect(shards(rt, jobId)).toEqual([expect.objectContaining({ page: 0, done: fixtureIssues().length })]);
    expect(progressWrites(rt)).toBeLessThanOrEqual(2);
    expect(await rt.runAsApp(() => listReports())).toEqual([
      expect.objectContaining({
        jobId,
        state: 'done',
        done: fixtureIssues().length,
        total: fixtureIssues().length,
      }),
    ]);
    const { actual, wanted } = reportsVersusExpected(rt, jobId);
    expect(actual).toEqual(wanted);
  });

  it('a lock left by a job that ended is taken over', async () => {
    rt = await startApp();
    const first = await startJob(rt, 50);
    await rt.runUntilIdle();
    // As if the job had ended without releasing its lock.
    await rt.runAsApp(() =>
      kvs.entity('report-lock').set('time-in-status', {
        kind: 'time-in-status',
        jobId: first.job.jobId,
        acquiredAt: JOB_START,
      }),
    );
    const second = await startJob(rt, 50);
    expect(second.started).toBe(true);
    expect(lockOf(rt)).toMatchObject({ jobId: second.job.jobId });
  });

  it("a job whose events died blocks its kind only until the lock's safety TTL", async () => {
    rt = await startApp();
    // A running job whose events are gone: the lock is the only thing that would ever free the kind.
    await rt.runAsApp(async () => {
      await kvs.entity('report-job').set('lost-job', {
        jobId: 'lost-job',
        kind: 'time-in-status',
        state: 'running',
        trigger: 'manual',
        jql: 'project = APP',
        startedAt: JOB_START,
      });
      await kvs
        .entity('report-lock')
        .set(
          'time-in-status',
          { kind: 'time-in-status', jobId: 'lost-job', acquiredAt: JOB_START },
          { ttl: { value: 12, unit: 'HOURS' } },
        );
    });
    expect(await startJob(rt, 50)).toMatchObject({ started: false, job: { jobId: 'lost-job' } });
    await rt.advance(12 * 3_600_000 + 1_000);
    const next = await startJob(rt, 50);
    expect(next.started).toBe(true);
    await rt.runUntilIdle();
    expect(await rt.runAsApp(() => getReport(next.job.jobId))).toMatchObject({ state: 'done' });
  });
});
