// The daily report schedule. Forge may invoke a scheduled trigger twice for one firing, so the job
// id is derived from the day it fires for: the second invocation finds that job and starts nothing.
// Forge does not retry a scheduled trigger, so the start keeps retrying its scan push for longer
// than a person-started one; if it still cannot queue the job, the day's job is recorded `failed`
// with the reason, where admins see it (listReports, the console).
import { ReportQueueError, startReport } from './reports/report-jobs';

/**
 * How long the scheduled start keeps retrying its scan push: the function has 55 s (Forge's
 * default for a scheduled trigger), and the start also counts the issues and writes the job.
 */
export const SCHEDULED_SCAN_PUSH_BUDGET_MS = 35_000;

/** One job per UTC day: `scheduled-2026-01-20`. */
export function scheduledJobId(now: number): string {
  return `scheduled-${new Date(now).toISOString().slice(0, 10)}`;
}

export async function handler(): Promise<void> {
  const jobId = scheduledJobId(Date.now());
  try {
    const { started, job } = await startReport(
      { kind: 'time-in-status', trigger: 'schedule', jobId },
      { scanPushBudgetMs: SCHEDULED_SCAN_PUSH_BUDGET_MS },
    );
    console.log(
      started
        ? `Scheduled report ${job.jobId} started`
        : `Scheduled report ${jobId} not started: job ${job.jobId} is ${job.state}`,
    );
  } catch (error) {
    if (!(error instanceof ReportQueueError)) throw error;
    // Already recorded as the day's failed job; the next day's run starts afresh.
    console.error(`Scheduled report ${jobId} could not be queued: ${error.message}`);
  }
}
