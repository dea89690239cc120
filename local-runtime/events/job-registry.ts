// Jobs: one per push call (`jobId`), with the fate of each of its events, for
// `queue.getJob(jobId).getStats()` and `cancel()`.

export type JobEventStatus = 'inProgress' | 'success' | 'failed' | 'cancelled';

export interface JobStats {
  success: number;
  inProgress: number;
  /** Events dropped after their retention window ran out. */
  failed: number;
}

export interface JobView extends JobStats {
  jobId: string;
  queueName: string;
  cancelled: boolean;
  /** Events skipped by `cancel()`; Forge's stats have no field for them, so they count nowhere else. */
  cancelledEvents: number;
}

class Job {
  readonly events = new Map<string, JobEventStatus>();
  cancelled = false;

  constructor(
    readonly queueName: string,
    readonly jobId: string,
  ) {}

  stats(): JobStats {
    const stats: JobStats = { success: 0, inProgress: 0, failed: 0 };
    for (const status of this.events.values()) if (status !== 'cancelled') stats[status]++;
    return stats;
  }
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();

  create(queueName: string, jobId: string, eventIds: readonly string[]): void {
    const job = new Job(queueName, jobId);
    for (const id of eventIds) job.events.set(id, 'inProgress');
    this.jobs.set(jobId, job);
  }

  /** A job is found only under the queue it was pushed to, as on Forge. */
  has(queueName: string, jobId: string): boolean {
    return this.jobs.get(jobId)?.queueName === queueName;
  }

  stats(queueName: string, jobId: string): JobStats | undefined {
    return this.has(queueName, jobId) ? this.jobs.get(jobId)!.stats() : undefined;
  }

  isCancelled(jobId: string): boolean {
    return this.jobs.get(jobId)?.cancelled ?? false;
  }

  markCancelled(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job) job.cancelled = true;
  }

  setStatus(jobId: string, eventId: string, status: JobEventStatus): void {
    this.jobs.get(jobId)?.events.set(eventId, status);
  }

  views(): JobView[] {
    return [...this.jobs.values()].map((job) => ({
      jobId: job.jobId,
      queueName: job.queueName,
      cancelled: job.cancelled,
      cancelledEvents: [...job.events.values()].filter((s) => s === 'cancelled').length,
      ...job.stats(),
    }));
  }
}
