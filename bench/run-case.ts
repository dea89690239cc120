// Runs one scenario x approach on a fresh local runtime (virtual clock, seeded) and measures it.
import path from 'node:path';
import { Queue } from '@forge/events';
import { kvs } from '@forge/kvs';
import {
  Counters,
  createRuntime,
  type HoldBackModel,
  type LatencyModel,
  type LocalForgeRuntime,
} from '../local-runtime/index.js';
import type { InvokeOutcome } from '../local-runtime/functions/function-runner.js';
import { SeededRandom } from '../local-runtime/kernel/random.js';
import {
  issueWriter,
  type IssueReceipt as ReceiptRecord,
  type IssueRecord,
} from '../src/shared/issue-data/issue-writer.js';
import { BACKOFF, backoffMs } from '../src/shared/writer/backoff.js';
import {
  DEAD_LETTER_MARGIN_MS,
  MAX_ATTEMPTS,
  RETENTION_MS,
} from '../src/shared/writer/consumer/retry-policy.js';
import { startReport } from '../src/producers/reports/report-jobs.js';
import {
  APPROACH_FORMS,
  isWriterApproach,
  type ApproachForm,
  type ApproachName,
  type SubmitResult,
} from './app/src/approaches.js';
import type { ProducerRequest } from './app/src/producer.js';
import { BENCH_REPORT_QUEUE, type BenchPageBody } from './app/src/report-pages.js';
import { BENCH_LATENCY } from './latency-model.js';
import { computeFigures, type Figures, type StateSize } from './metrics.js';
import { FIRST_REPORT_ISSUE, REPORT_START, reportJira } from './scenarios/report.js';
import type { ProducerScenario, ReportScenario, Scenario } from './scenarios/types.js';
import { deliveryCommands, ExpectedEffects, seededRecord, seededState, type StateShape } from './workload.js';

export const BENCH_APP_DIR = path.resolve(__dirname, 'app');
const START = Date.UTC(2026, 2, 2, 9, 0);
const REPORT_JOB_ID = 'bench-report';

/**
 * Every approach's deliveries get the writer's retry budget: up to 40 attempts (its MAX_ATTEMPTS),
 * waiting by its `redelivery` backoff, within the 22 h its events have before dead-lettering
 * (24 h retention less the 2 h margin). A webhook whose handler fails is retried this way.
 */
export const DELIVERY_BUDGET = {
  attempts: MAX_ATTEMPTS,
  windowMs: RETENTION_MS - DEAD_LETTER_MARGIN_MS,
  policy: BACKOFF.redelivery,
} as const;

export interface CaseOptions {
  seed: number;
  latency?: LatencyModel;
  /** How the platform holds back events over their concurrency limit (undocumented by Forge). */
  holdBack?: HoldBackModel;
}

export interface CaseResult extends Figures {
  name: ApproachName;
  form: ApproachForm;
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
  });
  try {
    const figures =
      scenario.kind === 'report'
        ? await runReport(rt, scenario, approach, options.seed)
        : await runProducers(rt, scenario, approach, options.seed);
    return {
      name: approach,
      form: APPROACH_FORMS[approach],
      ...figures,
      wallMs: Math.round(performance.now() - started),
    };
  } finally {
    await rt.close();
  }
}

/**
 * Writes every issue's starting state (its checklist) before the workload, unmetered in the
 * results: returns how many items each issue has. Faults are switched on only after this.
 */
async function seedStates(
  rt: LocalForgeRuntime,
  issueIds: readonly string[],
  shape: StateShape,
  seed: number,
): Promise<Map<string, number>> {
  const random = new SeededRandom(seed).fork('state');
  const items = new Map<string, number>();
  const records = issueIds.map((issueId) => {
    const count = random.int(shape.checklistItems[0], shape.checklistItems[1]);
    items.set(issueId, count);
    return seededRecord(issueId, seededState(random, count, rt.clock.now()), rt.clock.now());
  });
  for (let i = 0; i < records.length; i += 50)
    await rt.runAsApp(() =>
      Promise.all(
        records
          .slice(i, i + 50)
          .map((record) => kvs.entity<IssueRecord>(issueWriter.entities.state).set(record.issueId, record)),
      ),
    );
  return items;
}

function storedRecord(rt: LocalForgeRuntime, issueId: string): IssueRecord | undefined {
  return rt.storage.getEntity(issueWriter.entities.state, issueId) as IssueRecord | undefined;
}

function stateSize(rt: LocalForgeRuntime, issueIds: readonly string[]): StateSize {
  const records = issueIds.map((id) => storedRecord(rt, id)).filter((r) => r !== undefined);
  const items = records.map((r) => Object.keys(r.state.checklist).length);
  const bytes = records.map((r) => Buffer.byteLength(JSON.stringify(r), 'utf8'));
  return {
    issues: records.length,
    checklistItemsMin: Math.min(...items),
    checklistItemsMax: Math.max(...items),
    meanRecordBytes: Math.round(bytes.reduce((a, b) => a + b, 0) / Math.max(1, bytes.length)),
    maxRecordBytes: Math.max(...bytes),
  };
}

async function runProducers(
  rt: LocalForgeRuntime,
  scenario: ProducerScenario,
  approach: ApproachName,
  seed: number,
): Promise<Figures> {
  // The workload comes from its own streams of the seed: identical for every approach.
  const root = new SeededRandom(seed);
  const specs = scenario.producers(root.fork(`workload-${scenario.name}`));
  const mix = root.fork(`commands-${scenario.name}`);
  const retries = root.fork(`retries-${scenario.name}`);
  const issueIds = [...new Set(specs.map((s) => s.issueId))];
  const items = await seedStates(rt, issueIds, scenario.state, seed);
  if (scenario.faults) rt.setFaults(scenario.faults);
  const before = rt.metered();
  const start = rt.clock.now();

  const issuedAt = new Map<string, number>();
  const appliedAt = new Map<string, number>();
  const expected = new ExpectedEffects();
  let gaveUp = 0;
  const record = (result: SubmitResult) => {
    for (const a of result.applied)
      appliedAt.set(a.commandId, Math.min(a.at, appliedAt.get(a.commandId) ?? a.at));
  };
  const invoke = (request: ProducerRequest): Promise<InvokeOutcome> =>
    rt.functions.invoke({ kind: 'trigger', functionKey: 'producer', args: [request] });
  const sleep = (ms: number) => new Promise<void>((resolve) => rt.clock.setTimer(ms, resolve));
  const after = (ms: number, fn: () => Promise<void>) => sleep(ms).then(fn);

  /** One delivery of a producer, retried on failure within the same budget for every approach. */
  const deliver = async (request: ProducerRequest): Promise<void> => {
    const first = rt.clock.now();
    for (let attempt = 1; ; attempt++) {
      const outcome = await invoke(request);
      if (outcome.status === 'returned') return record(outcome.value as SubmitResult);
      const wait = backoffMs(DELIVERY_BUDGET.policy, attempt, () => retries.next());
      if (attempt >= DELIVERY_BUDGET.attempts || rt.clock.now() + wait - first > DELIVERY_BUDGET.windowMs) {
        gaveUp += request.commands.length;
        return;
      }
      await sleep(wait);
    }
  };

  const runs = specs.map((spec, index) =>
    after(spec.at, async () => {
      const commands = deliveryCommands(
        mix.fork(`delivery-${index}`),
        { index, issueId: spec.issueId, commands: spec.commands, items: items.get(spec.issueId)! },
        rt.clock.now(),
      );
      for (const c of commands) {
        issuedAt.set(c.commandId, c.issuedAt);
        expected.add(c);
      }
      const request: ProducerRequest = { approach, commands };
      const deliveries = [deliver(request)];
      if (spec.duplicateAfterMs !== undefined)
        deliveries.push(after(spec.duplicateAfterMs, () => deliver(request)));
      await Promise.all(deliveries);
    }),
  );
  await Promise.all(runs);
  await rt.runUntilIdle();
  const counters = Counters.diff(before, rt.metered());

  if (isWriterApproach(approach)) {
    for (const { value } of rt.storage.listEntity(issueWriter.entities.receipt)) {
      const receipt = value as ReceiptRecord;
      if (receipt.status === 'applied') appliedAt.set(receipt.commandId, receipt.settledAt);
    }
  }
  const observed = new Map<string, number>();
  for (const issueId of issueIds)
    observed.set(issueId, storedRecord(rt, issueId)?.state.activity.counts.updated ?? 0);
  const latencies = [...appliedAt].map(([id, at]) => at - issuedAt.get(id)!);
  const last = Math.max(start, ...appliedAt.values());
  return computeFigures({
    commands: issuedAt.size,
    expected: expected.records,
    observed,
    extraLost: expected.lostFields((id) => storedRecord(rt, id)?.state),
    gaveUp,
    latenciesMs: latencies,
    makespanMs: last - start,
    counters,
    stateSize: stateSize(rt, issueIds),
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
  seed: number,
): Promise<Figures> {
  const issueIds = Array.from({ length: scenario.issues }, (_, i) => String(FIRST_REPORT_ISSUE + i));
  await seedStates(rt, issueIds, scenario.state, seed);
  const before = rt.metered();
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
  const counters = Counters.diff(before, rt.metered());

  const expected = new Map<string, number>();
  const observed = new Map<string, number>();
  const latencies: number[] = [];
  const receipts = new Map<string, number>();
  for (const { value } of rt.storage.listEntity(issueWriter.entities.receipt)) {
    const receipt = value as ReceiptRecord;
    if (receipt.status === 'applied') receipts.set(receipt.issueId, receipt.settledAt);
  }
  for (const issueId of issueIds) {
    // The seeded record is version 1; the metric's one application makes it 2.
    expected.set(issueId, 1);
    const stored = storedRecord(rt, issueId);
    const metrics = stored?.state.reports['time-in-status'];
    // Metrics are last-writer-wins, so a second application shows only in the version count.
    observed.set(issueId, metrics ? stored!.version - 1 : 0);
    if (metrics) latencies.push((receipts.get(issueId) ?? stored!.updatedAt) - start);
  }
  return computeFigures({
    commands: scenario.issues,
    expected,
    observed,
    latenciesMs: latencies,
    makespanMs: Math.max(0, ...latencies),
    counters,
    stateSize: stateSize(rt, issueIds),
  });
}
