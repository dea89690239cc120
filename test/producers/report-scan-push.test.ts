// A report start whose scan push Forge refuses (its event quota spent, or pushes failing): Forge
// does not retry a scheduled trigger, so the start retries the push within the invocation, and if
// it still cannot queue the job, records the job as failed with the reason, where admins see it.
import { Queue } from '@forge/events';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { scheduledJobId } from '../../src/producers/report-schedule.js';
import { getReport } from '../../src/producers/reports/report-jobs.js';
import { fixtureIssues, JOB_START, lockOf, startApp } from './report-harness.js';
import { callResolver, valueOf } from './resolver-test-kit.js';

let rt: LocalForgeRuntime;
afterEach(() => rt?.close());

const day = scheduledJobId(JOB_START);

describe('a report start when Forge refuses its scan push', () => {
  it('retries a rate-limited push, so the day still gets its report', async () => {
    rt = await startApp({ events: { eventsPerMinute: 50 } });
    // Another producer spent the minute's event quota 40 s before the schedule fires.
    await rt.runAsApp(() =>
      new Queue({ key: 'report-jobs' }).push(Array.from({ length: 50 }, (_, i) => ({ body: { v: 99, i } }))),
    );
    await rt.advance(40_000);
    const run = await rt.runScheduledTrigger('daily-report');
    expect(run.outcome.status).toBe('returned');
    expect(rt.metered()['events.rateLimited']).toBeGreaterThan(0);
    // Within the function's 55 s.
    expect(run.finishedAt - run.startedAt).toBeLessThan(55_000);
    await rt.runUntilIdle();
    expect(await rt.runAsApp(() => getReport(day))).toMatchObject({
      state: 'done',
      done: fixtureIssues().length,
    });
  });

  it('records the day as a failed job, with the reason, when the pushes keep failing', async () => {
    rt = await startApp();
    rt.setFaults({ push: { rateLimited: 1 } });
    const run = await rt.runScheduledTrigger('daily-report');
    expect(run.outcome.status).toBe('returned');
    expect(run.finishedAt - run.startedAt).toBeLessThan(55_000);
    const job = await rt.runAsApp(() => getReport(day));
    expect(job).toMatchObject({
      jobId: day,
      state: 'failed',
      trigger: 'schedule',
      error: expect.stringMatching(/could not queue the job/),
    });
    // It holds no lock, and admins see it with its reason.
    expect(lockOf(rt)).toBeUndefined();
    const { jobs } = valueOf(await callResolver(rt, 'listReports', { limit: 5 }));
    expect(jobs[0]).toMatchObject({ jobId: day, state: 'failed', error: expect.any(String) });
    // Once Forge takes pushes again, a report can start.
    rt.setFaults({});
    const started = valueOf(await callResolver(rt, 'startReport', { kind: 'time-in-status' }));
    expect(started.started).toBe(true);
  });

  it('answers a person unavailable, and lists the failed job, when the pushes keep failing', async () => {
    rt = await startApp();
    rt.setFaults({ push: { serverError: 1 } });
    const answer = await callResolver(rt, 'startReport', { kind: 'time-in-status' });
    expect(answer).toEqual({ ok: false, error: { code: 'unavailable', message: expect.any(String) } });
    rt.setFaults({});
    const { jobs } = valueOf(await callResolver(rt, 'listReports', { limit: 5 }));
    expect(jobs).toMatchObject([
      { state: 'failed', trigger: 'manual', requestedBy: 'user-admin', error: expect.any(String) },
    ]);
    expect(lockOf(rt)).toBeUndefined();
  });
});
