// `npm run sim`: the deterministic simulation. Runs seeds across worker processes, checks every
// invariant, and prints the command that replays any failing seed.
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PLATFORM_PROFILES, type PlatformProfileName } from '../local-runtime/index.js';
import type { Violation } from './invariants.js';
import { DEFAULT_DOMAIN, DOMAINS } from './domains/index.js';
import type { SeedOptions, SeedResult } from './run-seed.js';
import { addShapes, noShapes, SHAPES, type Shapes } from './shapes.js';

const HELP = `Usage: npm run sim -- [options]

Runs random concurrent producers against the writer on the local runtime's virtual clock, with
faults on (KVS 5xx/429/timeouts, push failures, duplicate and reordered deliveries, platform
errors, consumer crashes and outages of them, delays) and an operator replaying dead letters while
they last, then checks every invariant against a sequential model.

Options:
  --seeds N      how many seeds to run (default 1000), starting at --from
  --from S       the first seed (default 1)
  --seed S       run just this seed (to replay a failure)
  --workers W    worker processes (default: the number of CPUs)
  --domain D     the writer and producers to run: ${Object.keys(DOMAINS).join(', ')} (default ${DEFAULT_DOMAIN})
  --profile P    how the platform answers where Forge's docs are silent: a profile of the local
                 runtime (${Object.keys(PLATFORM_PROFILES).join(', ')}), or all of them in turn
                 (default: default)
  --bundle       run the app's Forge bundle (\`npm run bundle\`) instead of its sources
  --json         print exactly one JSON object with the totals, shapes and violations
  -h, --help     show this help
`;

interface Totals {
  seeds: number;
  commands: number;
  applied: number;
  rejected: number;
  deadLettered: number;
  coalesced: number;
  outages: number;
  /** How many events, commands or runs exhibited each shape (sim/shapes.ts). */
  shapes: Shapes;
  violations: Violation[];
}

export interface ProfileSummary extends Totals {
  profile: PlatformProfileName;
}

export interface Summary extends Totals {
  domain: string;
  /** Each platform profile run, with its own totals and violations. */
  profiles: ProfileSummary[];
}

const emptyTotals = (): Totals => ({
  seeds: 0,
  commands: 0,
  applied: 0,
  rejected: 0,
  deadLettered: 0,
  coalesced: 0,
  outages: 0,
  shapes: noShapes(),
  violations: [],
});

function add(into: Totals, r: SeedResult | Totals): void {
  into.seeds += 'seed' in r ? 1 : r.seeds;
  into.commands += r.commands;
  into.applied += r.applied;
  into.rejected += r.rejected;
  into.deadLettered += r.deadLettered;
  into.coalesced += r.coalesced;
  into.outages += r.outages;
  addShapes(into.shapes, r.shapes);
  into.violations.push(...r.violations);
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
            // A larger young generation: a run allocates much short-lived JSON, and scavenging
            // it took some 4 % less CPU per seed with 16 MB semi-spaces (seeds 2 to 41, twice).
            execArgv: ['--max-semi-space-size=16', '--import', 'tsx'],
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
      profile: { type: 'string', default: 'default' },
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
  const profiles: PlatformProfileName[] =
    values.profile === 'all'
      ? (Object.keys(PLATFORM_PROFILES) as PlatformProfileName[])
      : [values.profile as PlatformProfileName];
  if (!profiles.every((p) => Object.hasOwn(PLATFORM_PROFILES, p))) {
    process.stderr.write(`No platform profile '${values.profile}'.\n\n${HELP}`);
    return 2;
  }
  const seeds = values.seed ? [Number(values.seed)] : Array.from({ length: count }, (_, i) => from + i);

  const summary: Summary = { domain: values.domain, ...emptyTotals(), profiles: [] };
  const started = Date.now();
  for (const profile of profiles) {
    const totals: ProfileSummary = { profile, ...emptyTotals() };
    const options: SeedOptions = {
      domain: values.domain,
      handlers: values.bundle ? 'bundle' : 'source',
      profile,
    };
    await runWorkers(seeds, workers, options, (r) => {
      add(totals, { ...r, violations: r.violations.map((v) => ({ ...v, profile })) });
      // On stderr, also with --json: a long run shows it is moving, stdout keeps one JSON object.
      if (totals.seeds % 500 === 0)
        process.stderr.write(`  ${profile}: ${totals.seeds}/${seeds.length} seeds\n`);
    });
    totals.violations.sort((a, b) => a.seed - b.seed);
    summary.profiles.push(totals);
    add(summary, totals);
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const line = (t: Totals) =>
      `${t.seeds} seeds: ${t.commands} commands accepted, ${t.applied} applied, ${t.rejected} rejected, ` +
      `${t.deadLettered} dead-lettered (then replayed), ${t.coalesced} coalesced, ${t.outages} consumer outage(s), ${t.violations.length} violations`;
    const shapes = (t: Totals) => `  shapes: ${SHAPES.map((s) => `${s} ${t.shapes[s]}`).join(', ')}\n`;
    for (const p of summary.profiles) process.stdout.write(`${p.profile}: ${line(p)}\n${shapes(p)}`);
    process.stdout.write(
      `${summary.domain}, ${profiles.length} profile(s), in ${seconds} s: ${line(summary)}\n${shapes(summary)}`,
    );
    for (const key of [...new Set(summary.violations.map((v) => `${v.profile}|${v.seed}`))]) {
      const [profile, seed] = key.split('|') as [string, string];
      for (const v of summary.violations.filter((x) => x.profile === profile && String(x.seed) === seed))
        process.stdout.write(`  ${profile} seed ${seed} ${v.invariant}: ${v.detail}\n`);
      process.stdout.write(
        `  replay: npm run sim -- --seed ${seed} --domain ${summary.domain} --profile ${profile}\n`,
      );
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
