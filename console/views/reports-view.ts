// Report jobs with their progress. Same figures as the app's own `getReport`/`listReports` (a
// finished job's exact totals, else the sum of its per-page progress shards), but read through the
// unmetered inspector: `listReports` would add the console's polling to the metered counters, and
// fail whenever faults are injected into storage.
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { jobView } from '../../src/producers/reports/report-jobs.js';
import {
  REPORT_ENTITY,
  type ProgressShard,
  type ReportJobRecord,
} from '../../src/producers/reports/report-store.js';
import type { ReportsView } from '../console-types.js';

const MAX_JOBS = 50;

export function reportsView(rt: LocalForgeRuntime): ReportsView {
  if (!rt.manifest.entities.has(REPORT_ENTITY.job)) return { available: false, jobs: [] };
  const shards = new Map<string, { done: number; failed: number }>();
  if (rt.manifest.entities.has(REPORT_ENTITY.progress)) {
    for (const { value } of rt.storage.listEntity(REPORT_ENTITY.progress)) {
      const shard = value as ProgressShard;
      if (typeof shard?.jobId !== 'string') continue;
      const sum = shards.get(shard.jobId) ?? { done: 0, failed: 0 };
      sum.done += shard.done ?? 0;
      sum.failed += shard.failed ?? 0;
      shards.set(shard.jobId, sum);
    }
  }
  const jobs = rt.storage
    .listEntity(REPORT_ENTITY.job)
    .map((item) => item.value as ReportJobRecord)
    .filter((job) => typeof job?.jobId === 'string')
    .sort((a, b) => b.startedAt - a.startedAt || (a.jobId < b.jobId ? -1 : 1))
    .slice(0, MAX_JOBS)
    .map((job) => jobView(job, shards.get(job.jobId) ?? { done: 0, failed: 0 }));
  return { available: true, jobs };
}
