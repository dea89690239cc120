// A report job as every reader sees it: the resolvers, the issue panel and the local console.

export type ReportKind = 'time-in-status';

export interface ReportJobView {
  jobId: string;
  kind: ReportKind;
  state: 'running' | 'cancelled' | 'done' | 'failed';
  trigger: 'manual' | 'schedule';
  jql: string;
  /** Issues the job covers: Jira's estimate while it runs, exact once done; null if unknown. */
  total: number | null;
  done: number;
  failed: number;
  startedAt: number;
  finishedAt?: number;
  requestedBy?: string;
  /** Why a `failed` job failed. */
  error?: string;
}
