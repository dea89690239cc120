// Shared set-up for the report job tests: the real app on the local runtime at a fixed job start,
// the metrics each fixture issue should get (worked out here straight from fixtures/jira.json,
// independently of the app's metric code), and readers for what the job stored.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createRuntime,
  type LocalForgeRuntime,
  type PlatformProfileName,
  type RuntimeOptions,
} from '../../local-runtime/index.js';
import { startReport, type ReportJobView } from '../../src/producers/reports/report-jobs.js';
import { type IssueRecord } from '../../src/shared/issue-data/issue-writer.js';
import type { ReportResult } from '../../src/shared/issue-data/issue-state.js';

export const appDir = path.resolve(import.meta.dirname, '../..');
/** Mid-fixture: every issue exists, some transitions lie after the job's start. */
export const JOB_START = Date.UTC(2026, 0, 12, 12, 0);

/**
 * The platform profiles the report tests run under: the default, and `adverse`, every answer to
 * what Forge's storage docs leave open that is hardest on the app (conditions on missing keys
 * fail, 400 CONDITION_FAILED, KEY_ALREADY_EXISTS, short query pages, kept TTLs).
 */
export const REPORT_PLATFORMS = ['default', 'adverse'] as const satisfies readonly PlatformProfileName[];

let platform: PlatformProfileName = 'default';

/** The profile `startApp` uses from now on (a `describe.each` over REPORT_PLATFORMS sets it). */
export function usePlatform(name: PlatformProfileName): void {
  platform = name;
}

export function startApp(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  return createRuntime({ appDir, startTime: JOB_START, platform, ...options });
}

export async function startJob(
  rt: LocalForgeRuntime,
  pageSize: number,
  input: Partial<Parameters<typeof startReport>[0]> = {},
): Promise<{ started: boolean; job: ReportJobView }> {
  return rt.runAsApp(() =>
    startReport({ kind: 'time-in-status', trigger: 'manual', ...input }, { pageSize }),
  );
}

interface FixtureIssue {
  id: string;
  key: string;
  fields: { created: string; status: { name: string } };
  changelog?: Array<{
    created: string;
    items: Array<{ field: string; fromString: string | null; toString: string | null }>;
  }>;
}

export function fixtureIssues(): FixtureIssue[] {
  const fixture = JSON.parse(readFileSync(path.join(appDir, 'fixtures', 'jira.json'), 'utf8')) as {
    issues: FixtureIssue[];
  };
  return fixture.issues;
}

export interface ExpectedMetrics {
  timeInStatusMs: Record<string, number>;
  transitions: number;
}

/**
 * Walks each issue's status timeline: the status it was created in (the first change's `from`, or
 * its status now), then every change up to `asOf`; the time between two points belongs to the
 * status in force. The fixture's histories are already sorted.
 */
export function expectedMetrics(asOf: number): Map<string, ExpectedMetrics> {
  const ms = (jira: string) => new Date(jira.replace(/\+0000$/, 'Z')).getTime();
  const out = new Map<string, ExpectedMetrics>();
  for (const issue of fixtureIssues()) {
    const changes = (issue.changelog ?? []).flatMap((h) =>
      h.items
        .filter((i) => i.field === 'status')
        .map((i) => ({ at: ms(h.created), from: i.fromString!, to: i.toString! })),
    );
    const points: Array<{ status: string; from: number }> = [
      { status: changes[0]?.from ?? issue.fields.status.name, from: ms(issue.fields.created) },
      ...changes.filter((c) => c.at <= asOf).map((c) => ({ status: c.to, from: c.at })),
    ];
    const timeInStatusMs: Record<string, number> = {};
    points.forEach((p, i) => {
      const until = points[i + 1]?.from ?? asOf;
      timeInStatusMs[p.status] = (timeInStatusMs[p.status] ?? 0) + (until - p.from);
    });
    out.set(issue.id, { timeInStatusMs, transitions: points.length - 1 });
  }
  return out;
}

export function storedReport(rt: LocalForgeRuntime, issueId: string): ReportResult | undefined {
  const record = rt.storage.getEntity('issue-state', issueId) as IssueRecord | undefined;
  return record?.state.reports['time-in-status']?.value;
}

/** Every issue's stored report, next to what it should be. */
export function reportsVersusExpected(rt: LocalForgeRuntime, jobId: string, asOf = JOB_START) {
  const expected = expectedMetrics(asOf);
  const actual = new Map<string, ReportResult | undefined>();
  const wanted = new Map<string, ReportResult>();
  for (const [issueId, metrics] of expected) {
    actual.set(issueId, storedReport(rt, issueId));
    wanted.set(issueId, { runId: jobId, computedAt: asOf, ...metrics });
  }
  return { actual, wanted };
}

/** Shards the job's pages wrote. */
export function shards(
  rt: LocalForgeRuntime,
  jobId: string,
): Array<{ page: number; done: number; failed: number }> {
  return rt.storage
    .listEntity('report-progress')
    .map((item) => item.value as { jobId: string; page: number; done: number; failed: number })
    .filter((s) => s.jobId === jobId)
    .sort((a, b) => a.page - b.page);
}

/** KVS writes to progress shards, successful or refused (needs `trace: true`). */
export function progressWrites(rt: LocalForgeRuntime): number {
  return rt
    .trace()
    .filter(
      (t) => t.kind === 'kvs' && t.detail['entity'] === 'report-progress' && t.detail['op'] === 'entity.set',
    ).length;
}

/** Pages `run-report-page` invocations, by the trace. */
export function pageInvocations(rt: LocalForgeRuntime): number {
  return rt.trace().filter((t) => t.kind === 'invoke' && t.detail['functionKey'] === 'run-report-page')
    .length;
}

export const lockOf = (rt: LocalForgeRuntime) => rt.storage.getEntity('report-lock', 'time-in-status');
