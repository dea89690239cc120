// `npm run sim`: the deterministic simulation. Runs seeds across worker processes, checks every
// invariant, and prints the command that replays any failing seed.
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Violation } from './invariants.js';
import { DEFAULT_DOMAIN, DOMAINS } from './domains/index.js';
import type { SeedOptions, SeedResult } from './run-seed.js';

const HELP = `Usage: npm run sim -- [options]

Runs random concurrent producers against the writer on the local runtime's virtual clock, with
faults on (KVS 5xx/429/timeouts, push failures, duplicate and reordered deliveries, consumer
crashes, delays), then checks every invariant against a sequential model.

Options:
  --seeds N      how many seeds to run (default 1000), starting at --from
  --from S       the first seed (default 1)
  --seed S       run just this seed (to replay a failure)
  --workers W    worker processes (default: the number of CPUs)
  --domain D     the writer and producers to run: ${Object.keys(DOMAINS).join(', ')} (default ${DEFAULT_DOMAIN})
  --bundle       run the app's Forge bundle (\`npm run bundle\`) instead of its sources
  --json         print exactly one JSON object with the totals and violations
  -h, --help     show this help
`;

export interface Summary {
  domain: string;
  seeds: number;
  commands: number;
  applied: number;
  rejected: number;
  deadLettered: number;
  violations: Violation[];
}

type WorkerMessage = { type: 'result'; result: SeedResult } | { type: 'crash'; message: string };

function runWorkers(
  seeds: number[],
  workers: number,
  options: SeedOptions,
  onResult: (r: SeedResult) => void,
): Promise<void> {
  const slices = Array.from({ length: Math.min(workers, seeds.length) }, (_, w) =>
    seeds.filter((_, i) => i % workers === w),
  );
  return Promise.all(
    slices.map(
      (slice) =>
        new Promise<void>((resolve, reject) => {
          const child = fork(path.join(__dirname, 'worker.ts'), [slice.join(','), JSON.stringify(options)], {
            execArgv: ['--import', 'tsx'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          child.on('message', (message: WorkerMessage) => {
            if (message.type === 'result') onResult(message.result);
            else reject(new Error(`a simulation worker crashed:\n${message.message}`));
          });
          child.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`a simulation worker exited with ${code}`)),
          );
        }),
    ),
  ).then(() => undefined);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      from: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean', default: false },
      bundle: { type: 'boolean', default: false },
      domain: { type: 'string', default: DEFAULT_DOMAIN },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const count = Number(values.seeds ?? 1000);
  const from = Number(values.from ?? 1);
  const workers = Number(values.workers ?? os.availableParallelism());
  if (
    ![count, from, workers].every((n) => Number.isInteger(n) && n > 0) ||
    (values.seed && !/^\d+$/.test(values.seed))
  ) {
    process.stderr.write(`Seeds, workers and --from are positive integers.\n\n${HELP}`);
    return 2;
  }
  if (!DOMAINS[values.domain]) {
    process.stderr.write(
      `No domain '${values.domain}'; the domains are ${Object.keys(DOMAINS).join(', ')}.\n`,
    );
    return 2;
  }
  const seeds = values.seed ? [Number(values.seed)] : Array.from({ length: count }, (_, i) => from + i);

  const summary: Summary = {
    domain: values.domain,
    seeds: 0,
    commands: 0,
    applied: 0,
    rejected: 0,
    deadLettered: 0,
    violations: [],
  };
  const started = Date.now();
  const options = { domain: values.domain, handlers: values.bundle ? 'bundle' : 'source' } as const;
  await runWorkers(seeds, workers, options, (r) => {
    summary.seeds += 1;
    summary.commands += r.commands;
    summary.applied += r.applied;
    summary.rejected += r.rejected;
    summary.deadLettered += r.deadLettered;
    summary.violations.push(...r.violations);
    if (!values.json && summary.seeds % 500 === 0)
      process.stderr.write(`  ${summary.seeds}/${seeds.length} seeds\n`);
  });
  summary.violations.sort((a, b) => a.seed - b.seed);

  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `${summary.seeds} seeds in ${seconds} s: ${summary.commands} commands accepted, ${summary.applied} applied, ` +
        `${summary.rejected} rejected, ${summary.deadLettered} dead-lettered (then replayed), ${summary.violations.length} violations\n`,
    );
    for (const seed of [...new Set(summary.violations.map((v) => v.seed))]) {
      for (const v of summary.violations.filter((x) => x.seed === seed))
        process.stdout.write(`  seed ${seed} ${v.invariant}: ${v.detail}\n`);
      process.stdout.write(`  replay: npm run sim -- --seed ${seed}\n`);
    }
  }
  return summary.violations.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
