// The daily report schedule. Forge may invoke a scheduled trigger twice for one firing, so the job
// id is derived from the day it fires for: the second invocation finds that job and starts nothing.
import { startReport } from './reports/report-jobs';

/** One job per UTC day: `scheduled-2026-01-20`. */
export function scheduledJobId(now: number): string {
  return `scheduled-${new Date(now).toISOString().slice(0, 10)}`;
}

export async function handler(): Promise<void> {
  const jobId = scheduledJobId(Date.now());
  const { started, job } = await startReport({ kind: 'time-in-status', trigger: 'schedule', jobId });
  console.log(
    started
      ? `Scheduled report ${job.jobId} started`
      : `Scheduled report ${jobId} not started: job ${job.jobId} is ${job.state}`,
  );
}
