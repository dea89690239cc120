// Report jobs under trouble: a consumer crash mid-job, the scan and page workers dying before and
// after their writes, duplicated deliveries, and cancellation. Each ends with the same metrics as a
// calm run and with progress counted once per page.
import { kvs } from '@forge/kvs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { cancelReport, getReport } from '../../src/producers/reports/report-jobs.js';
import {
  fixtureIssues,
  lockOf,
  pageInvocations,
  progressWrites,
  reportsVersusExpected,
  shards,
  REPORT_PLATFORMS,
  startApp,
  startJob,
  usePlatform,
  storedReport,
} from './report-harness.js';

let rt: LocalForgeRuntime;
afterEach(() => rt?.close());

const count = () => fixtureIssues().length;

async function expectFinishedCorrectly(jobId: string, pageSize: number): Promise<void> {
  const { actual, wanted } = reportsVersusExpected(rt, jobId);
  expect(actual).toEqual(wanted);
  const pages = Math.ceil(count() / pageSize);
  expect(shards(rt, jobId).map((s) => s.page)).toEqual([...Array(pages).keys()]);
  expect(await rt.runAsApp(() => getReport(jobId))).toMatchObject({
    state: 'done',
    total: count(),
    done: count(),
    failed: 0,
  });
  expect(lockOf(rt)).toBeUndefined();
}

describe.each(REPORT_PLATFORMS)('report jobs under trouble (%s platform)', (platform) => {
  beforeAll(() => usePlatform(platform));

  it('survive a consumer crash mid-job', async () => {
    rt = await startApp({ trace: true });
    rt.crashNextInvocation('apply-commands', 2);
    const { job } = await startJob(rt, 7);
    await rt.runUntilIdle();
    expect(rt.metered()['functions.crashed']).toBe(1);
    await expectFinishedCorrectly(job.jobId, 7);
    expect(progressWrites(rt)).toBe(Math.ceil(count() / 7));
  });

  it('end when a page dies after its progress write, before its completion check', async () => {
    rt = await startApp({ trace: true, latency: { delivery: 1_000 } });
    const { job } = await startJob(rt, 7);
    await rt.advance(1_500); // the scan has pushed every page and recorded their count
    // Storage call 1 reads the job, call 2 writes the shard: the page dies right after it.
    rt.crashNextInvocation('run-report-page', 2);
    await rt.runUntilIdle();
    expect(rt.metered()['functions.crashed']).toBe(1);
    await expectFinishedCorrectly(job.jobId, 7);
    // The redelivered page redid its issues and its completion check; its shard counts once.
    const pages = Math.ceil(count() / 7);
    expect(progressWrites(rt)).toBeLessThanOrEqual(pages + 1);
    expect(pageInvocations(rt)).toBe(1 + pages + 1);
  });

  it('end once when the only page dies between its progress write and ending the job', async () => {
    rt = await startApp({ trace: true, latency: { delivery: 1_000 } });
    const { job } = await startJob(rt, 50); // one page: it is the one to end the job
    await rt.advance(1_500);
    rt.crashNextInvocation('run-report-page', 2);
    await rt.runUntilIdle();
    expect(rt.metered()['functions.crashed']).toBe(1);
    await expectFinishedCorrectly(job.jobId, 50);
  });

  it('resume when the scan dies before doing anything', async () => {
    rt = await startApp({ trace: true });
    rt.crashNextInvocation('run-report-page', 1);
    const { job } = await startJob(rt, 7);
    await rt.runUntilIdle();
    expect(rt.metered()['functions.crashed']).toBe(1);
    await expectFinishedCorrectly(job.jobId, 7);
    expect(progressWrites(rt)).toBe(Math.ceil(count() / 7));
  });

  it('end when the scan dies after recording its pages, before its completion check', async () => {
    rt = await startApp({ trace: true });
    // Scan: call 1 reads the job, call 2 records the page count. Its pages may all have finished
    // before that record, so only the scan's own check (redone on redelivery) can end the job.
    rt.crashNextInvocation('run-report-page', 2);
    const { job } = await startJob(rt, 7);
    await rt.runUntilIdle();
    expect(rt.metered()['functions.crashed']).toBe(1);
    await expectFinishedCorrectly(job.jobId, 7);
    // The redelivered scan found the pages recorded and pushed nothing again.
    const pages = Math.ceil(count() / 7);
    expect(progressWrites(rt)).toBe(pages);
    expect(pageInvocations(rt)).toBe(2 + pages);
  });

  it('count each page once when deliveries are duplicated', async () => {
    rt = await startApp({ trace: true, seed: 7, faults: { delivery: { duplicate: 0.5 } } });
    const { job } = await startJob(rt, 5);
    await rt.runUntilIdle();
    const pages = Math.ceil(count() / 5);
    expect(rt.metered()['events.duplicated']).toBeGreaterThan(0);
    await expectFinishedCorrectly(job.jobId, 5);
    // A duplicate redoes its page (deduplicated by the writer); a duplicated scan may push the
    // pages again, so each page runs at most four times.
    expect(pageInvocations(rt)).toBeLessThanOrEqual(2 + 4 * pages);
    expect(shards(rt, job.jobId).reduce((n, s) => n + s.done, 0)).toBe(count());
  });

  it('stop after cancel: no page runs its work after it, the state is cancelled, the lock released', async () => {
    rt = await startApp({ trace: true, latency: { delivery: [500, 2_000] } });
    const { job } = await startJob(rt, 1);
    while (shards(rt, job.jobId).length === 0) await rt.advance(100);
    const before = shards(rt, job.jobId);
    expect(before.length).toBeLessThan(count());

    const cancelled = await rt.runAsApp(() => cancelReport(job.jobId));
    expect(cancelled).toMatchObject({ state: 'cancelled', done: before.reduce((n, s) => n + s.done, 0) });
    expect(cancelled?.finishedAt).toBeDefined();
    expect(lockOf(rt)).toBeUndefined();
    const writesAtCancel = progressWrites(rt);

    await rt.runUntilIdle();
    expect(shards(rt, job.jobId)).toEqual(before);
    expect(progressWrites(rt)).toBe(writesAtCancel);
    expect(await rt.runAsApp(() => getReport(job.jobId))).toMatchObject({ state: 'cancelled' });
    // Issues on pages after the cancel got no report.
    const reported = fixtureIssues().filter((i) => storedReport(rt, i.id) !== undefined).length;
    expect(reported).toBe(before.reduce((n, s) => n + s.done, 0));

    // Cancelling again changes nothing; the kind is free for a new job.
    expect(await rt.runAsApp(() => cancelReport(job.jobId))).toMatchObject({ state: 'cancelled' });
    expect(await rt.runAsApp(() => cancelReport('no-such-job'))).toBeUndefined();
    const next = await startJob(rt, 50);
    expect(next.started).toBe(true);
    await rt.runUntilIdle();
    expect(await rt.runAsApp(() => getReport(next.job.jobId))).toMatchObject({
      state: 'done',
      done: count(),
    });
  });

  it('fail, with the reason and the lock released, when Jira refuses the query mid-job', async () => {
    rt = await startApp({ latency: { delivery: 1000 } });
    const { job } = await startJob(rt, 5);
    // As if the query went bad after the start (a project renamed away): Jira answers 400.
    await rt.runAsApp(async () => {
      const stored = await kvs.entity<Record<string, unknown>>('report-job').get(job.jobId);
      await kvs.entity('report-job').set(job.jobId, { ...stored, jql: 'project = GONE' });
    });
    await rt.runUntilIdle();
    const view = await rt.runAsApp(() => getReport(job.jobId));
    expect(view).toMatchObject({
      state: 'failed',
      done: 0,
      error: expect.stringContaining('GONE') as string,
    });
    expect(view?.finishedAt).toBeDefined();
    expect(lockOf(rt)).toBeUndefined();
    expect(rt.metered()['events.retried']).toBe(0); // a 400 is not retried
  });

  it('a cancel after the job finished leaves it done', async () => {
    rt = await startApp();
    const { job } = await startJob(rt, 50);
    await rt.runUntilIdle();
    expect(await rt.runAsApp(() => cancelReport(job.jobId))).toMatchObject({ state: 'done', done: count() });
  });
});
