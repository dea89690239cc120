// The report job of the approaches other than `writer-batched` (which runs the real job): the same
// structure as the real job (one scan listing the ids, then every page's event pushed at once and
// run in parallel), the same metric, the same progress shard and completion query per page, but
// each issue's `report.metrics` command applied the approach's way.
import { Queue } from '@forge/events';
import { issueWriter, type IssueEnvelope } from '../../../src/shared/issue-data/issue-writer';
import { DEFAULT_JQL } from '../../../src/producers/reports/report-jobs';
import { fetchIssues, fullChangelog, listIssueIds } from '../../../src/producers/reports/jira-pages';
import { reportCommandId } from '../../../src/producers/reports/page-metrics';
import { PAGE_EVENTS_PER_PUSH } from '../../../src/producers/reports/report-events';
import { completion, writeShard } from '../../../src/producers/reports/report-store';
import { timeInStatus } from '../../../src/producers/reports/time-in-status';
import { submit, type ApproachName } from './approaches';

export const BENCH_REPORT_QUEUE = 'bench-report-pages';

interface BenchJob {
  approach: ApproachName;
  jobId: string;
  pageSize: number;
  /** The job's start: the metric's "as of" time, as in the real job. */
  startedAt: number;
}

export type BenchPageBody =
  | (BenchJob & { type: 'scan' })
  | (BenchJob & { type: 'page'; page: number; pages: number; issueIds: string[] });

const push = (bodies: BenchPageBody[]) =>
  new Queue({ key: BENCH_REPORT_QUEUE }).push(
    bodies.map((body) => ({ body: body as unknown as Record<string, unknown> })),
  );

export async function handler(event: { body: BenchPageBody }): Promise<void> {
  const body = event.body;
  if (body.type === 'scan') return scan(body);
  const commands: IssueEnvelope[] = [];
  for (const issue of await fetchIssues(body.issueIds)) {
    const histories = issue.complete ? issue.histories : await fullChangelog(issue.id);
    const metrics = timeInStatus(
      { createdAt: issue.createdAt, currentStatus: issue.status ?? 'Unknown', histories },
      body.startedAt,
    );
    commands.push(
      issueWriter.command(
        issue.id,
        {
          type: 'report.metrics',
          payload: {
            reportKind: 'time-in-status',
            runId: body.jobId,
            computedAt: body.startedAt,
            ...metrics,
          },
        },
        { source: 'report-job', commandId: reportCommandId(body.jobId, issue.id) },
      ),
    );
  }
  if (
    body.approach === 'writer' ||
    body.approach === 'writer-no-coalesce' ||
    body.approach === 'writer-no-key'
  ) {
    // One command per event: per-issue packing puts each issue's command in its own event.
    await issueWriter.enqueue(commands, {
      concurrencyKey: body.approach !== 'writer-no-key',
      coalesce: body.approach !== 'writer-no-coalesce',
    });
  } else {
    await submit(body.approach, commands);
  }
  await writeShard({
    jobId: body.jobId,
    page: body.page,
    done: commands.length,
    failed: 0,
    writtenAt: Date.now(),
  });
  // The real job's completion check, for the same reads (there is no job record to end here).
  await completion(body.jobId, body.pages);
}

async function scan(job: BenchJob & { type: 'scan' }): Promise<void> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const listed = await listIssueIds(DEFAULT_JQL, token);
    ids.push(...listed.ids);
    token = listed.nextPageToken;
  } while (token !== undefined);
  const pages = Math.ceil(ids.length / job.pageSize);
  const bodies: BenchPageBody[] = Array.from({ length: pages }, (_, page) => ({
    ...job,
    type: 'page',
    page,
    pages,
    issueIds: ids.slice(page * job.pageSize, (page + 1) * job.pageSize),
  }));
  for (let i = 0; i < bodies.length; i += PAGE_EVENTS_PER_PUSH)
    await push(bodies.slice(i, i + PAGE_EVENTS_PER_PUSH));
}
