// A time-in-status report job over the fixture's issues, end to end through the real @forge
// packages on the local runtime: metrics checked against values worked out independently from
// fixtures/jira.json, one progress write per page, the job's views, bad input, and changelogs too
// long for Jira to embed.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import {
  getReport,
  listReports,
  ReportInputError,
  startReport,
} from '../../src/producers/reports/report-jobs.js';
import { readStatuses } from '../../src/shared/command-status.js';
import {
  expectedMetrics,
  fixtureIssues,
  JOB_START,
  lockOf,
  progressWrites,
  reportsVersusExpected,
  shards,
  startApp,
  startJob,
  storedReport,
} from './report-harness.js';

let rt: LocalForgeRuntime;
afterEach(() => rt?.close());

describe('a time-in-status report job', () => {
  it('finishes with the right metrics for every fixture issue', async () => {
    rt = await startApp({ trace: true });
    const issues = fixtureIssues();
    const { started, job } = await startJob(rt, 7, { requestedBy: 'user-admin' });
    expect(started).toBe(true);
    expect(job).toMatchObject({
      state: 'running',
      trigger: 'manual',
      total: issues.length,
      done: 0,
      failed: 0,
    });
    expect(job.startedAt).toBe(JOB_START);
    expect(lockOf(rt)).toMatchObject({ jobId: job.jobId });

    await rt.runUntilIdle();

    const { actual, wanted } = reportsVersusExpected(rt, job.jobId);
    expect(actual).toEqual(wanted);
    // One hand-checked issue: APP-9 was created 01-07 17:00 and went In Progress 01-10 02:35; its
    // later moves to In Review and Done happened after the job started.
    expect(storedReport(rt, '10009')).toMatchObject({
      timeInStatusMs: { 'To Do': (2 * 24 + 9) * 3_600_000 + 35 * 60_000, 'In Progress': 206_700_000 },
      transitions: 1,
    });
    const view = await rt.runAsApp(() => getReport(job.jobId));
    expect(view).toEqual({
      ...job,
      state: 'done',
      total: issues.length,
      done: issues.length,
      failed: 0,
      finishedAt: expect.any(Number) as number,
    });
    expect(lockOf(rt)).toBeUndefined();
    // Every command applied, under its deterministic id.
    for (let i = 0; i < issues.length; i += 25) {
      const batch = issues.slice(i, i + 25);
      const statuses = await rt.runAsApp(() => readStatuses(batch.map((s) => `report:${job.jobId}:${s.id}`)));
      expect(statuses.map((s) => s.status)).toEqual(batch.map(() => 'applied'));
    }
  });

  it('writes progress once per page, one shard each, that sum to the job', async () => {
    rt = await startApp({ trace: true });
    const count = fixtureIssues().length;
    const pages = Math.ceil(count / 7);
    const { job } = await startJob(rt, 7);
    await rt.runUntilIdle();
    expect(progressWrites(rt)).toBe(pages);
    const written = shards(rt, job.jobId);
    expect(written.map((s) => s.page)).toEqual([...Array(pages).keys()]);
    expect(written.reduce((n, s) => n + s.done, 0)).toBe(count);
    expect(written.map((s) => s.done)).toEqual(
      [...Array(pages).keys()].map((p) => Math.min(7, count - 7 * p)),
    );
  });

  it('shows progress while it runs, summed from the shards', async () => {
    rt = await startApp({ latency: { delivery: 1000 } });
    const { job } = await startJob(rt, 5);
    await rt.advance(2_500);
    const view = await rt.runAsApp(() => getReport(job.jobId));
    expect(view?.state).toBe('running');
    expect(view?.done).toBe(shards(rt, job.jobId).reduce((n, s) => n + s.done, 0));
    expect(view?.done).toBeGreaterThan(0);
    expect(view?.done).toBeLessThan(fixtureIssues().length);
    await rt.runUntilIdle();
    expect(await rt.runAsApp(() => getReport(job.jobId))).toMatchObject({
      state: 'done',
      done: fixtureIssues().length,
    });
  });

  it('lists jobs newest first', async () => {
    rt = await startApp();
    const first = await startJob(rt, 50);
    await rt.runUntilIdle();
    await rt.advance(60_000);
    const second = await startJob(rt, 50, { jql: 'project = OPS ORDER BY key ASC' });
    expect(second.started).toBe(true);
    await rt.runUntilIdle();
    const list = await rt.runAsApp(() => listReports(10));
    expect(list.map((j) => j.jobId)).toEqual([second.job.jobId, first.job.jobId]);
    const ops = fixtureIssues().filter((i) => i.key.startsWith('OPS-')).length;
    expect(list[0]).toMatchObject({
      state: 'done',
      total: ops,
      done: ops,
      jql: 'project = OPS ORDER BY key ASC',
    });
    expect(await rt.runAsApp(() => listReports(1))).toHaveLength(1);
  });

  it('refuses bad input before storing or pushing anything', async () => {
    rt = await startApp();
    const before = rt.metered();
    await expect(startJob(rt, 10, { jql: 'project = ' })).rejects.toThrow(ReportInputError);
    await expect(startJob(rt, 10, { jobId: 'no spaces allowed' })).rejects.toThrow(ReportInputError);
    await expect(
      rt.runAsApp(() => startReport({ kind: 'cycle-time' as 'time-in-status', trigger: 'manual' })),
    ).rejects.toThrow(ReportInputError);
    await expect(startJob(rt, 0)).rejects.toThrow(ReportInputError);
    const after = rt.metered();
    expect(after['kvs.writeRequests']).toBe(before['kvs.writeRequests']);
    expect(after['events.pushed']).toBe(before['events.pushed']);
    expect(await rt.runAsApp(() => getReport('nope'))).toBeUndefined();
  });

  it('reads the whole changelog when Jira embeds only its most recent 100 entries', async () => {
    const statuses = ['To Do', 'In Progress'];
    const H = 3_600_000;
    const created = Date.UTC(2026, 0, 1);
    const jiraTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
    // 150 transitions, one an hour, alternating: 75 hours in each status, then 10 more in To Do.
    const changelog = Array.from({ length: 150 }, (_, i) => ({
      id: String(5000 + i),
      created: jiraTime(created + (i + 1) * H),
      items: [{ field: 'status', fromString: statuses[i % 2]!, toString: statuses[(i + 1) % 2]! }],
    }));
    rt = await startApp({
      startTime: created + 160 * H,
      jira: {
        users: [],
        projects: [{ id: '1', key: 'LONG', name: 'Long' }],
        issues: [
          {
            id: '777',
            key: 'LONG-1',
            fields: {
              status: { name: 'To Do' },
              project: { key: 'LONG' },
              created: jiraTime(created),
              updated: jiraTime(created + 150 * H),
            },
            changelog,
          },
        ],
      },
    });
    const { job } = await startJob(rt, 10, { jql: 'project = LONG' });
    await rt.runUntilIdle();
    expect(storedReport(rt, '777')).toEqual({
      runId: job.jobId,
      computedAt: created + 160 * H,
      timeInStatusMs: { 'To Do': 75 * H + 10 * H, 'In Progress': 75 * H },
      transitions: 150,
    });
  });

  it("makes pages larger when a job would otherwise outgrow Forge's 1000-push chain", async () => {
    const jiraTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
    const created = Date.UTC(2026, 0, 1);
    const issues = Array.from({ length: 600 }, (_, i) => ({
      id: String(20_000 + i),
      key: `BIG-${i + 1}`,
      fields: {
        status: { name: 'To Do' },
        project: { key: 'BIG' },
        created: jiraTime(created),
        updated: jiraTime(created),
      },
    }));
    rt = await startApp({
      jira: { users: [], projects: [{ id: '1', key: 'BIG', name: 'Big' }], issues },
      quotas: false,
    });
    // One issue a page would be 600 pages, 1200 pushes in one chain: Forge would refuse the 1001st.
    const { job } = await startJob(rt, 1, { jql: 'project = BIG ORDER BY key ASC' });
    await rt.runUntilIdle();
    expect(await rt.runAsApp(() => getReport(job.jobId))).toMatchObject({
      state: 'done',
      total: 600,
      done: 600,
    });
    expect(shards(rt, job.jobId)).toHaveLength(300);
  });

  it('the independent expectation agrees with a job started later (every transition counted)', async () => {
    const later = Date.UTC(2026, 1, 1);
    rt = await startApp({ startTime: later });
    const { job } = await startJob(rt, 50);
    await rt.runUntilIdle();
    const { actual, wanted } = reportsVersusExpected(rt, job.jobId, later);
    expect(actual).toEqual(wanted);
    const transitions = [...expectedMetrics(later).values()].reduce((n, m) => n + m.transitions, 0);
    expect(transitions).toBe(fixtureIssues().reduce((n, i) => n + (i.changelog?.length ?? 0), 0));
  });
});
