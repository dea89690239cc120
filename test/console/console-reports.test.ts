// Report jobs in the console: the same figures the app's own getReport answers, read unmetered.
import { afterEach, describe, expect, it } from 'vitest';
import { reportsView } from '../../console/views/reports-view.js';
import type { ReportsView } from '../../console/console-types.js';
import { getReport, startReport } from '../../src/producers/reports/report-jobs.js';
import type { RunningApp } from '../browser/browser-harness.js';
import { call, startConsoleApp } from './console-fixture.js';

let app: RunningApp | undefined;
afterEach(() => app?.close());

describe('report jobs in the console', () => {
  it('shows a job as getReport does, while it runs and once done, without metering', async () => {
    app = await startConsoleApp();
    const { rt } = app;
    const { job } = await rt.runAsApp(() =>
      startReport({ kind: 'time-in-status', trigger: 'manual', requestedBy: 'user-admin' }, { pageSize: 5 }),
    );
    await rt.advance(1);
    const running = reportsView(rt).jobs[0];
    expect(running?.state).toBe('running');
    expect(running).toEqual(await rt.runAsApp(() => getReport(job.jobId)));

    await rt.runUntilIdle();
    const expected = await rt.runAsApp(() => getReport(job.jobId));
    expect(expected).toMatchObject({ state: 'done' });
    const before = rt.metered();
    const { status, body } = await call(app, '/api/console/reports');
    expect(status).toBe(200);
    expect(body as ReportsView).toEqual({ available: true, jobs: [expected] });
    expect(expected?.done).toBeGreaterThan(0);
    expect(rt.metered()).toEqual(before);
  });
});
