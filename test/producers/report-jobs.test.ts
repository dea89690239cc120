// A time-in-status report job over the fixture's issues, end to end through the real @forge
// packages on the local runtime: metrics checked against values worked out independently from
// fixtures/jira.json, one progress write per page, pages running in parallel, the job's views, bad
// input, Forge's push-chain and event-rate limits, and changelogs too long to embed.
import { kvs } from '@forge/kvs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import {
  getReport,
  listReports,
  ReportInputError,
  startReport,
} from '../../src/producers/reports/report-jobs.js';
import {
  CHAIN_PUSH_LIMIT,
  chainPushes,
  MAX_JOB_ISSUES,
  MAX_JOB_PAGES,
} from '../../src/producers/reports/report-events.js';
import {
  expectedMetrics,
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
  storedReport,
} from './report-harness.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';

let rt: LocalForgeRuntime;
afterEach(() => rt?.close());

/** A Jira with `count` issues in project BIG, all created To Do and never moved. */
function bigJira(count: number) {
  const created = new Date(Date.UTC(2026, 0, 1)).toISOString().replace('Z', '+0000');
  return {
    users: [],
    projects: [{ id: '1', key: 'BIG', name: 'Big' }],
    issues: Array.from({ length: count }, (_, i) => ({
      id: String(200_000 + i),
      key: `BIG-${i + 1}`,
      fields: { status: { name: 'To Do' }, project: { key: 'BIG' }, created, updated: created },
    })),
  };
}

describe.each(REPORT_PLATFORMS)('a time-in-status report job (%s platform)', (platform) => {
  beforeAll(() => usePlatform(platform));

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
      const statuses = await rt.runAsApp(() =>
        issueWriter.readStatuses(batch.map((s) => `report:${job.jobId}:${s.id}`)),
      );
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
    rt = await startApp({ latency: { delivery: [500, 2000] } });
    const { job } = await startJob(rt, 1);
    while (shards(rt, job.jobId).length === 0) await rt.advance(100);
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

  it('runs its pages in parallel: the job takes a few deliveries, not one per page', async () => {
    const delivery = 1_000;
    rt = await startApp({ latency: { delivery } });
    const pages = fixtureIssues().length; // one issue a page
    const { job } = await startJob(rt, 1);
    await rt.runUntilIdle();
    const view = await rt.runAsApp(() => getReport(job.jobId));
    expect(view).toMatchObject({ state: 'done', done: pages });
    // The scan's delivery, then every page's at once, then the writer's events: about 3 s. A
    // chain of pages would take at least pages x delivery (30 s).
    const took = view!.finishedAt! - view!.startedAt;
    expect(took).toBeLessThanOrEqual(4 * delivery);
    expect(took).toBeLessThan((pages * delivery) / 5);
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

  it("makes pages larger, and paces them, when a job would otherwise outgrow Forge's limits", async () => {
    rt = await startApp({ jira: bigJira(1_000), quotas: false, trace: true });
    // One issue a page would be 1000 pages, over the 900 that fit in Forge's 1000-push chain.
    const { job } = await startJob(rt, 1, { jql: 'project = BIG ORDER BY key ASC' });
    await rt.runUntilIdle();
    expect(await rt.runAsApp(() => getReport(job.jobId))).toMatchObject({
      state: 'done',
      total: 1_000,
      done: 1_000,
    });
    expect(shards(rt, job.jobId)).toHaveLength(500);
    const counters = rt.metered();
    // 1 scan push, 10 pushes of 50 page events, 1 command push per page: inside the chain.
    expect(counters['events.pushRequests']).toBe(chainPushes(500));
    // Released 100 pages a minute, the job never met Forge's 500 events a minute.
    expect(counters['events.rateLimited']).toBe(0);
  });

  it("refuses a job larger than Forge's push chain allows, at the start or at the scan", async () => {
    // 1 scan push + ceil(pages / 50) page pushes + 1 command push a page must stay under 1000,
    // with room for a scan delivered twice.
    expect(chainPushes(MAX_JOB_PAGES)).toBe(919);
    expect(chainPushes(MAX_JOB_PAGES) + Math.ceil(MAX_JOB_PAGES / 50)).toBeLessThan(CHAIN_PUSH_LIMIT);
    expect(MAX_JOB_ISSUES).toBe(90_000);

    rt = await startApp({ jira: bigJira(MAX_JOB_ISSUES + 1), quotas: false });
    const before = rt.metered();
    await expect(startJob(rt, 100, { jql: 'project = BIG ORDER BY key ASC' })).rejects.toThrow(
      /matches 90001 issues; a report job covers at most 90000/,
    );
    expect(rt.metered()['events.pushed']).toBe(before['events.pushed']);

    // Jira's estimate can be low; the scan counts exactly. As if the query grew after the start:
    const { job } = await startJob(rt, 100, { jql: 'key = BIG-1' });
    await rt.runAsApp(async () => {
      const stored = await kvs.entity<Record<string, unknown>>('report-job').get(job.jobId);
      await kvs.entity('report-job').set(job.jobId, { ...stored, jql: 'project = BIG ORDER BY key ASC' });
    });
    await rt.runUntilIdle();
    const view = await rt.runAsApp(() => getReport(job.jobId));
    expect(view).toMatchObject({ state: 'failed', done: 0 });
    expect(view?.error).toMatch(/^scan: the query matches 90001 issues; a report job covers at most 90000/);
    expect(shards(rt, job.jobId)).toHaveLength(0);
    expect(lockOf(rt)).toBeUndefined();
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
