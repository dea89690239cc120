// The report job of the approaches other than `writer-batched` (which runs the real job): the same
// chain of page events over the same JQL pages, the same metric, the same progress shard per page,
// but each issue's `report.metrics` command applied the approach's way.
import { Queue } from '@forge/events';
import type { CommandEnvelope } from '../../../src/shared/command-envelope.js';
import { ENVELOPE_SCHEMA_VERSION } from '../../../src/shared/command-envelope.js';
import { enqueue } from '../../../src/shared/enqueue.js';
import { DEFAULT_JQL } from '../../../src/producers/reports/report-jobs.js';
import { fullChangelog, searchPage } from '../../../src/producers/reports/jira-pages.js';
import { reportCommandId } from '../../../src/producers/reports/page-metrics.js';
import { writeShard } from '../../../src/producers/reports/report-store.js';
import { timeInStatus } from '../../../src/producers/reports/time-in-status.js';
import { applyOne, type ApproachName } from './approaches.js';

export const BENCH_REPORT_QUEUE = 'bench-report-pages';

export interface BenchPageBody {
  approach: ApproachName;
  jobId: string;
  page: number;
  pageSize: number;
  pageToken?: string;
  /** The job's start: the metric's "as of" time, as in the real job. */
  startedAt: number;
}

export async function handler(event: { body: BenchPageBody }): Promise<void> {
  const body = event.body;
  const page = await searchPage(DEFAULT_JQL, body.pageSize, body.pageToken);
  const commands: CommandEnvelope[] = [];
  for (const issue of page.issues) {
    const histories = issue.complete ? issue.histories : await fullChangelog(issue.id);
    const metrics = timeInStatus(
      { createdAt: issue.createdAt, currentStatus: issue.status ?? 'Unknown', histories },
      body.startedAt,
    );
    commands.push({
      schemaVersion: ENVELOPE_SCHEMA_VERSION,
      commandId: reportCommandId(body.jobId, issue.id),
      issueId: issue.id,
      issuedAt: Date.now(),
      source: 'report-job',
      type: 'report.metrics',
      payload: { reportKind: 'time-in-status', runId: body.jobId, computedAt: body.startedAt, ...metrics },
    });
  }
  if (body.approach === 'writer' || body.approach === 'writer-no-key') {
    // One command per event: per-issue packing puts each issue's command in its own event.
    await enqueue(commands, { concurrencyKey: body.approach === 'writer' });
  } else {
    for (const cmd of commands) await applyOne(body.approach, cmd);
  }
  await writeShard({
    jobId: body.jobId,
    page: body.page,
    done: commands.length,
    failed: 0,
    writtenAt: Date.now(),
  });
  if (page.nextPageToken !== undefined) {
    await new Queue({ key: BENCH_REPORT_QUEUE }).push({
      body: { ...body, page: body.page + 1, pageToken: page.nextPageToken } as unknown as Record<
        string,
        unknown
      >,
    });
  }
}
