// Turns one page of Jira issues into `report.metrics` commands, outside the serialized section:
// the metric is computed here, and only its result travels through the writer. Command ids are
// `report:${jobId}:${issueId}`, so a page done twice enqueues the same commands and the writer's
// receipts apply each once.
import { issueWriter, type IssueEnvelope } from '../../shared/issue-data/issue-writer';
import { describeIssues } from '../../shared/writer';
import { fullChangelog, JiraRequestError, type ReportIssue } from './jira-pages';
import type { ReportJobRecord } from './report-store';
import { timeInStatus } from './time-in-status';

export interface PageOutcome {
  /** Issues whose metrics were enqueued. */
  done: number;
  /** Issues Jira could not describe well enough to measure. */
  failed: number;
}

export const reportCommandId = (jobId: string, issueId: string) => `report:${jobId}:${issueId}`;

export async function reportOnPage(
  job: ReportJobRecord,
  issues: readonly ReportIssue[],
): Promise<PageOutcome> {
  const commands: IssueEnvelope[] = [];
  let failed = 0;
  for (const issue of issues) {
    const command = await commandFor(job, issue);
    if (command) commands.push(command);
    else failed += 1;
  }
  // One fan-out push for the page: the consumer commits issue by issue, each version-checked.
  if (commands.length > 0) await issueWriter.enqueue(commands, { packing: 'fan-out' });
  return { done: commands.length, failed };
}

async function commandFor(job: ReportJobRecord, issue: ReportIssue): Promise<IssueEnvelope | undefined> {
  if (Number.isNaN(issue.createdAt) || issue.status === undefined) {
    console.warn(`Report ${job.jobId}: ${issue.key} has no readable creation time or status`);
    return undefined;
  }
  let histories = issue.histories;
  if (!issue.complete) {
    try {
      histories = await fullChangelog(issue.id);
    } catch (error) {
      // Gone or hidden since the search (404): that issue fails, the page goes on. Anything
      // transient fails the page, which is redone.
      if (error instanceof JiraRequestError && !error.retryable) {
        console.warn(`Report ${job.jobId}: changelog of ${issue.key}: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  }
  const metrics = timeInStatus(
    { createdAt: issue.createdAt, currentStatus: issue.status, histories },
    job.startedAt,
  );
  const command = issueWriter.command(
    issue.id,
    {
      type: 'report.metrics',
      payload: { reportKind: job.kind, runId: job.jobId, computedAt: job.startedAt, ...metrics },
    },
    { source: 'report-job', commandId: reportCommandId(job.jobId, issue.id) },
  );
  // Checked one by one so that one odd issue (a 200-character status name) fails alone.
  const checked = issueWriter.parseEnvelope(command);
  if (!checked.ok) {
    console.warn(`Report ${job.jobId}: ${issue.key}: ${describeIssues(checked.issues)}`);
    return undefined;
  }
  return command;
}
