// `npm run bench`: every scenario x approach on the local runtime's virtual clock, the same seed
// for each, spread over worker processes; then the raw speed of runtime plus writer.
import { execSync, fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HOLD_BACK_MODELS, type HoldBackModel } from '../local-runtime/index.js';
import {
  APPROACHES,
  APPROACH_FORMS,
  APPROACH_NOTES,
  isWriterApproach,
  type ApproachName,
} from './approaches/index.js';
import { BENCH_LATENCY, describeLatency } from './latency-model.js';
import { QUOTA_LIMITS } from './quota.js';
import { renderTable, type ScenarioResults } from './report-table.js';
import { DELIVERY_BUDGET, type CaseResult } from './run-case.js';
import { SCENARIOS, scenarioByName, type ScenarioName } from './scenarios/index.js';
import { COMMAND_MIX } from './workload.js';

const DEFAULT_HOLD_BACK: HoldBackModel = 'doubling-4s';
import type { SpeedResult } from './speed.js';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

const HELP = `Usage: npm run bench -- [options]

Benchmarks the serialized writer against the alternatives (naive get-modify-set, caller-side
compare-and-set, a lease lock) on the local runtime's virtual clock, with the same seed for
every approach, and projects Forge's per-installation quotas from the metered counters.

Options:
  --scenario S   run only these scenarios (comma-separated): ${SCENARIOS.join(', ')}
  --approach A   run only these approaches (comma-separated): ${APPROACHES.join(', ')}
  --hold-back H  how Forge holds back events over their concurrency limit (undocumented): one or
                 more of ${Object.keys(HOLD_BACK_MODELS).join(', ')}, or all (default: all for
                 hot-issue, ${DEFAULT_HOLD_BACK} for the other scenarios)
  --seed N       the seed (default 1)
  --workers W    worker processes (default: the number of CPUs)
  --no-speed     skip the raw speed measurement
  --json         print exactly one JSON object { "meta", "approaches", "scenarios" }, described in
                 docs/benchmark.md (progress goes to stderr)
  -h, --help     show this help
`;

type Case = Extract<ParentMessage, { type: 'case' }>;

function pickList<T extends string>(raw: string | undefined, all: readonly T[], what: string): T[] {
  if (raw === undefined) return [...all];
  const picked = raw.split(',').map((s) => s.trim());
  const unknown = picked.filter((p) => !(all as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`unknown ${what}: ${unknown.join(', ')}`);
  return all.filter((a) => picked.includes(a));
}

/** Runs the cases over `workers` processes; each takes the next case when it finishes one. */
function runAll(
  work: ParentMessage[],
  workers: number,
  onMessage: (message: WorkerMessage) => void,
): Promise<void> {
  const queue = [...work];
  return Promise.all(
    Array.from(
      { length: Math.min(workers, queue.length) },
      () =>
        new Promise<void>((resolve, reject) => {
          const child = fork(path.join(__dirname, 'worker.ts'), [], {
            execArgv: ['--import', 'tsx'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          const next = () => child.send(queue.shift() ?? { type: 'stop' });
          child.on('message', (message: WorkerMessage) => {
            if (message.type === 'crash')
              return reject(new Error(`a bench worker crashed:\n${message.message}`));
            if (message.type !== 'ready') onMessage(message);
            next();
          });
          child.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`a bench worker exited with ${code}`)),
          );
        }),
    ),
  ).then(() => undefined);
}

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      approach: { type: 'string' },
      seed: { type: 'string' },
      'hold-back': { type: 'string' },
      workers: { type: 'string' },
      'no-speed': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let scenarios: ScenarioName[];
  let approaches: ApproachName[];
  let holdBacks: HoldBackModel[] | undefined;
  const seed = Number(values.seed ?? 1);
  const workers = Number(values.workers ?? os.availableParallelism());
  try {
    scenarios = pickList(values.scenario, SCENARIOS, 'scenario');
    approaches = pickList(values.approach, APPROACHES, 'approach');
    const models = Object.keys(HOLD_BACK_MODELS) as HoldBackModel[];
    holdBacks =
      values['hold-back'] === undefined
        ? undefined
        : pickList(
            values['hold-back'] === 'all' ? undefined : values['hold-back'],
            models,
            'hold-back model',
          );
    if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed is a non-negative integer');
    if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers is a positive integer');
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }

  // Hold-back timing matters where events queue up behind one key: the hot issue, by default.
  const modelsFor = (scenario: ScenarioName): HoldBackModel[] =>
    holdBacks ??
    (scenario === 'hot-issue' ? (Object.keys(HOLD_BACK_MODELS) as HoldBackModel[]) : [DEFAULT_HOLD_BACK]);
  const runs = scenarios.flatMap((scenario) =>
    modelsFor(scenario).map((holdBack) => ({ scenario, holdBack })),
  );
  // An approach that pushes no events does not meet the hold-back: it runs under the scenario's
  // first model only, and that result stands in every model's table (the runs are deterministic).
  const firstModel = (scenario: ScenarioName) => modelsFor(scenario)[0]!;
  const runsUnder = (scenario: ScenarioName, holdBack: HoldBackModel, approach: ApproachName) =>
    isWriterApproach(approach) || scenario === 'report' ? holdBack : firstModel(scenario);
  const cases: Case[] = runs.flatMap(({ scenario, holdBack }) =>
    approaches
      .filter((approach) => runsUnder(scenario, holdBack, approach) === holdBack)
      .map((approach): Case => ({ type: 'case', scenario, approach, seed, holdBack })),
  );
  const work: ParentMessage[] = values['no-speed'] ? cases : [...cases, { type: 'speed', seed }];
  // Read before the runs: a commit made in the working tree while they run is not what they measured.
  const measuredCommit = commit();
  const results = new Map<string, CaseResult>();
  let speed: SpeedResult | undefined;
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  await runAll(work, workers, (message) => {
    if (message.type === 'speed') {
      speed = message.speed;
      log(`  speed: ${speed.commandsPerSecond} commands/s`);
    } else if (message.type === 'result') {
      results.set(`${message.scenario}/${message.holdBack}/${message.result.name}`, message.result);
      log(
        `  ${message.scenario} (${message.holdBack}) / ${message.result.name}: ${(message.result.wallMs / 1000).toFixed(1)} s`,
      );
    }
  });
  const wallSeconds = ((Date.now() - started) / 1000).toFixed(1);

  const output = {
    meta: {
      commit: measuredCommit,
      seed,
      node: process.version,
      cores: os.availableParallelism(),
      workers,
      wallSeconds: Number(wallSeconds),
      latency: BENCH_LATENCY,
      quotaLimits: QUOTA_LIMITS,
      deliveryRetryBudget: {
        attempts: DELIVERY_BUDGET.attempts,
        windowMs: DELIVERY_BUDGET.windowMs,
        backoff: DELIVERY_BUDGET.policy,
      },
      commandMix: {
        ...COMMAND_MIX,
        'activity.record': 1 - Object.values(COMMAND_MIX).reduce((a, b) => a + b, 0),
      },
      ...(speed ? { rawSpeed: speed } : {}),
    },
    approaches: approaches.map((a) => ({ name: a, form: APPROACH_FORMS[a], description: APPROACH_NOTES[a] })),
    scenarios: runs.map(
      ({ scenario, holdBack }): ScenarioResults & { checklistItems: readonly number[] } => ({
        name: scenario,
        holdBack,
        checklistItems: scenarioByName(scenario).state.checklistItems,
        approaches: approaches.map((a) =>
          results.get(`${scenario}/${runsUnder(scenario, holdBack, a)}/${a}`)!,
        ),
      }),
    ),
  };
  const speedLine = speed
    ? `Raw speed (runtime + writer, zero latency, spread/writer): ${speed.commands} commands in ${(speed.wallMs / 1000).toFixed(1)} s = ${speed.commandsPerSecond} commands/s of real time`
    : 'Raw speed: skipped (--no-speed)';
  const footer = `${speedLine}\nWall time: ${wallSeconds} s on ${os.availableParallelism()} cores, ${workers} worker(s), Node ${process.version}, commit ${measuredCommit}, seed ${seed}`;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(output)}\n`);
    log(footer);
    return 0;
  }
  const out: string[] = [
    `Latency model: ${describeLatency(BENCH_LATENCY)}`,
    `Hold-back models (local-runtime/events/hold-back.ts): ${Object.entries(HOLD_BACK_MODELS)
      .map(([name, text]) => `${name}: ${text}`)
      .join('; ')}`,
    `forgeQuotaMinutes = max(makespan, events / ${QUOTA_LIMITS.eventsPerMinute}, write units / ${QUOTA_LIMITS.writeUnitsPerMinute}, read units / ${QUOTA_LIMITS.readUnitsPerMinute}, KVS requests / ${QUOTA_LIMITS.kvsRequestsPerSecond * 60}) in minutes; units of ${QUOTA_LIMITS.unitBytes / 1024} KB per request`,
    `Every delivery (every approach) is retried up to ${DELIVERY_BUDGET.attempts} attempts within ${DELIVERY_BUDGET.windowMs / 3_600_000} h, waiting by the writer's redelivery backoff`,
    '',
    ...approaches.map((a) => `  ${a.padEnd(22)} [${APPROACH_FORMS[a]}] ${APPROACH_NOTES[a]}`),
    '',
  ];
  for (const scenario of output.scenarios) out.push(renderTable(scenario), '');
  out.push(footer);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
