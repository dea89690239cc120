// Runs one scenario x approach on a fresh local runtime (virtual clock, seeded) and measures it.
import path from 'node:path';
import { Queue } from '@forge/events';
import {
  createRuntime,
  type HoldBackModel,
  type LatencyModel,
  type LocalForgeRuntime,
} from '../local-runtime/index.js';
import type { InvokeOutcome } from '../local-runtime/functions/function-runner.js';
import { SeededRandom } from '../local-runtime/kernel/random.js';
import {
  issueWriter,
  type IssueEnvelope as CommandEnvelope,
  type IssueReceipt as ReceiptRecord,
  type IssueRecord,
} from '../src/shared/issue-data/issue-writer.js';
import { ENVELOPE_SCHEMA_VERSION } from '../src/shared/writer/index.js';
import { startReport } from '../src/producers/reports/report-jobs.js';
import { isWriterApproach, type ApproachName, type SubmitResult } from './app/src/approaches.js';
import type { ProducerRequest } from './app/src/producer.js';
import { BENCH_REPORT_QUEUE, type BenchPageBody } from './app/src/report-pages.js';
import { BENCH_LATENCY } from './latency-model.js';
import { computeFigures, type Figures } from './metrics.js';
import { FIRST_REPORT_ISSUE, REPORT_START, reportJira } from './scenarios/report.js';
import type { ProducerScenario, ProducerSpec, ReportScenario, Scenario } from './scenarios/types.js';

export const BENCH_APP_DIR = path.resolve(__dirname, 'app');
const START = Date.UTC(2026, 2, 2, 9, 0);
const REPORT_JOB_ID = 'bench-report';

export interface CaseOptions {
  seed: number;
  latency?: LatencyModel;
  /** How the platform holds back events over their concurrency limit (undocumented by Forge). */
  holdBack?: HoldBackModel;
}

export interface CaseResult extends Figures {
  name: ApproachName;
  /** Real time the run took, ms. */
  wallMs: number;
}

export async function runCase(
  scenario: Scenario,
  approach: ApproachName,
  options: CaseOptions,
): Promise<CaseResult> {
  const started = performance.now();
  const rt = await createRuntime({
    appDir: BENCH_APP_DIR,
    seed: options.seed,
    startTime: scenario.kind === 'report' ? REPORT_START : START,
    latency: options.latency ?? BENCH_LATENCY,
    // Forge's limits are projected from the counters (quota.ts), not enforced, so every approach
    // runs to the end and the projection shows what the limits would cost.
    quotas: false,
    events: {
      eventsPerMinute: Number.MAX_SAFE_INTEGER,
      ...(options.holdBack ? { holdBack: options.holdBack } : {}),
    },
    jira: reportJira(scenario.kind === 'report' ? scenario.issues : 0),
    ...(scenario.kind === 'producers' && scenario.faults ? { faults: scenario.faults } : {}),
  });
  try {
    const figures =
      scenario.kind === 'report'
        ? await runReport(rt, scenario, approach)
        : await runProducers(rt, scenario, approach, options.seed);
    return { name: approach, ...figures, wallMs: Math.round(performance.now() - started) };
  } finally {
    await rt.close();
  }
}

function envelopes(spec: ProducerSpec, index: number, issuedAt: number): CommandEnvelope[] {
  return Array.from({ length: spec.commands }, (_, j) => ({
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    commandId: `bench-p${index}-c${j}`,
    issueId: spec.issueId,
    issuedAt,
    source: 'jira-webhook' as const,
    type: 'activity.record' as const,
    payload: { kind: 'updated' as const, at: issuedAt },
  }));
}

async function runProducers(
  rt: LocalForgeRuntime,
  scenario: ProducerScenario,
  approach: ApproachName,
  seed: number,
): Promise<Figures> {
  // The workload comes from its own stream of the seed: identical for every approach.
  const specs = scenario.producers(new SeededRandom(seed).fork(`workload-${scenario.name}`));
  const start = rt.clock.now();
  const issuedAt = new Map<string, number>();
  const appliedAt = new Map<string, number>();
  const record = (result: SubmitResult) => {
    for (const a of result.applied)
      appliedAt.set(a.commandId, Math.min(a.at, appliedAt.get(a.commandId) ?? a.at));
  };
  const invoke = (request: ProducerRequest): Promise<InvokeOutcome> =>
    rt.functions.invoke({ kind: 'trigger', functionKey: 'producer', args: [request] });
  const after = (ms: number, fn: () => Promise<void>) =>
    new Promise<void>((resolve, reject) => rt.clock.setTimer(ms, () => void fn().then(resolve, reject)));

  /** One delivery of a producer; a failed one is retried once by the platform, like a webhook. */
  const deliver = async (spec: ProducerSpec, request: ProducerRequest): Promise<void> => {
    let outcome = await invoke(request);
    if (outcome.status !== 'returned') {
      await new Promise<void>((resolve) => rt.clock.setTimer(spec.retryAfterMs, resolve));
      outcome = await invoke(request);
    }
    if (outcome.status === 'returned') record(outcome.value as SubmitResult);
  };

  const runs = specs.map((spec, index) =>
    after(spec.at, async () => {
      const commands = envelopes(spec, index, rt.clock.now());
      for (const c of commands) issuedAt.set(c.commandId, c.issuedAt);
      const request: ProducerRequest = { approach, commands };
      const deliveries = [deliver(spec, request)];
      if (spec.duplicateAfterMs !== undefined)
        deliveries.push(after(spec.duplicateAfterMs, () => deliver(spec, request)));
      await Promise.all(deliveries);
    }),
  );
  await Promise.all(runs);
  await rt.runUntilIdle();

  if (isWriterApproach(approach)) {
    for (const { value } of rt.storage.listEntity(issueWriter.entities.receipt)) {
      const receipt = value as ReceiptRecord;
      if (receipt.status === 'applied') appliedAt.set(receipt.commandId, receipt.settledAt);
    }
  }
  const expected = new Map<string, number>();
  for (const spec of specs) expected.set(spec.issueId, (expected.get(spec.issueId) ?? 0) + spec.commands);
  const observed = new Map<string, number>();
  for (const issueId of expected.keys()) {
    const stored = rt.storage.getEntity(issueWriter.entities.state, issueId) as IssueRecord | undefined;
    observed.set(issueId, stored?.state.activity.counts.updated ?? 0);
  }
  const latencies = [...appliedAt].map(([id, at]) => at - issuedAt.get(id)!);
  const last = Math.max(start, ...appliedAt.values());
  return computeFigures({
    commands: [...expected.values()].reduce((a, b) => a + b, 0),
    expected,
    observed,
    latenciesMs: latencies,
    makespanMs: last - start,
    counters: rt.metered(),
  });
}

/**
 * `writer-batched` runs the real report job (`startReport`: fan-out events, sharded progress);
 * every other approach runs the bench's scan and parallel pages (`report-pages.ts`) over the same pages.
 * Latency here is from the job's start to the issue's metric being stored.
 */
async function runReport(
  rt: LocalForgeRuntime,
  scenario: ReportScenario,
  approach: ApproachName,
): Promise<Figures> {
  const start = rt.clock.now();
  if (approach === 'writer-batched' || approach === 'writer-batched-no-key') {
    const { started } = await rt.runAsApp(() =>
      startReport(
        { kind: 'time-in-status', trigger: 'manual', jobId: REPORT_JOB_ID },
        { pageSize: scenario.pageSize },
      ),
    );
    if (!started) throw new Error('the report job did not start');
  } else {
    const body: BenchPageBody = {
      type: 'scan',
      approach,
      jobId: REPORT_JOB_ID,
      pageSize: scenario.pageSize,
      startedAt: start,
    };
    await rt.runAsApp(() =>
      new Queue({ key: BENCH_REPORT_QUEUE }).push({ body: body as unknown as Record<string, unknown> }),
    );
  }
  await rt.runUntilIdle();

  const expected = new Map<string, number>();
  const observed = new Map<string, number>();
  const latencies: number[] = [];
  const receipts = new Map<string, number>();
  for (const { value } of rt.storage.listEntity(issueWriter.entities.receipt)) {
    const receipt = value as ReceiptRecord;
    if (receipt.status === 'applied') receipts.set(receipt.issueId, receipt.settledAt);
  }
  for (let i = 0; i < scenario.issues; i++) {
    const issueId = String(FIRST_REPORT_ISSUE + i);
    expected.set(issueId, 1);
    const stored = rt.storage.getEntity(issueWriter.entities.state, issueId) as IssueRecord | undefined;
    const metrics = stored?.state.reports['time-in-status'];
    // Metrics are last-writer-wins, so a second application shows only in the version count.
    observed.set(issueId, metrics ? stored!.version : 0);
    if (metrics) latencies.push((receipts.get(issueId) ?? stored!.updatedAt) - start);
  }
  return computeFigures({
    commands: scenario.issues,
    expected,
    observed,
    latenciesMs: latencies,
    makespanMs: Math.max(0, ...latencies),
    counters: rt.metered(),
  });
}
