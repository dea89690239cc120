// `npm run mutants`: the classic mutants of the writer (classic-mutants.ts), each run through the
// simulation in a mutated copy of the repository. Checks the seeds recorded for each, or searches
// seeds for the first ones that catch it.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { CLASSIC_MUTANTS, type ClassicMutant } from './classic-mutants.js';
import type { MutantSeedResult } from './mutant-seeds.js';
import { createWorkspace, runMutants, type MutantRun } from './mutant-workspace.js';

const HELP = `Usage: npm run mutants -- [options]

Runs the simulation on copies of the repository, each with one classic mutant of the writer
applied (sim/classic-mutants.ts), and reports whether the simulation catches it (a violated
invariant). The working tree is never changed.

Options:
  --list          list the mutants and the seeds recorded for them
  --mutant NAME   only this mutant (repeatable; default: all)
  --search N      search seeds --from to --from+N-1 instead of running the recorded seeds
  --from S        the first seed searched (default 1)
  --find K        with --search, stop after K catching seeds per mutant (default 3)
  --control       also run the unmutated copy on the same seeds
  --parallel P    mutants run at once (default: the number of CPUs)
  --keep NAME     only make a mutated copy with NAME applied and print where, to run the
                  simulation there by hand (npx tsx sim/cli.ts --seed S); remove it when done
  --json          print one JSON object
  -h, --help      show this help
`;

interface Outcome {
  mutant: string;
  domain: string;
  seedsRun: number;
  /** Seeds with a violation, with the invariants broken and the seed's wall time. */
  caught: Array<{ seed: number; invariants: string[]; ms: number }>;
}

function outcomeOf(name: string, domain: string, results: MutantSeedResult[]): Outcome {
  return {
    mutant: name,
    domain,
    seedsRun: results.length,
    caught: results
      .filter((r) => r.violations.length > 0)
      .map((r) => ({
        seed: r.seed,
        invariants: [...new Set(r.violations.map((v) => v.invariant))],
        ms: r.ms,
      })),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      list: { type: 'boolean', default: false },
      mutant: { type: 'string', multiple: true },
      search: { type: 'string' },
      from: { type: 'string' },
      find: { type: 'string' },
      control: { type: 'boolean', default: false },
      parallel: { type: 'string' },
      json: { type: 'boolean', default: false },
      keep: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const unknown = [...(values.mutant ?? []), ...(values.keep ? [values.keep] : [])].filter(
    (n) => !CLASSIC_MUTANTS.some((m) => m.name === n),
  );
  if (unknown.length > 0) {
    process.stderr.write(
      `No mutant ${unknown.join(', ')}; the mutants are:\n  ${CLASSIC_MUTANTS.map((m) => m.name).join('\n  ')}\n`,
    );
    return 2;
  }
  const mutants = values.mutant
    ? CLASSIC_MUTANTS.filter((m) => values.mutant!.includes(m.name))
    : CLASSIC_MUTANTS;
  if (values.keep) {
    const mutant = CLASSIC_MUTANTS.find((m) => m.name === values.keep)!;
    const { dir } = createWorkspace(mutant);
    const seed = mutant.seeds[0] ?? 1;
    process.stdout.write(
      `${dir}\n  cd ${dir} && npx tsx sim/cli.ts --seed ${seed} --domain ${mutant.domain ?? 'issues'}\n  rm -r ${dir}\n`,
    );
    return 0;
  }
  if (values.list) {
    for (const m of mutants)
      process.stdout.write(
        `${m.name} (${m.domain ?? 'issues'}; seeds ${m.seeds.join(', ') || 'none'}): ${m.breaks}\n`,
      );
    return 0;
  }
  const search = values.search === undefined ? undefined : Number(values.search);
  const from = Number(values.from ?? 1);
  const find = Number(values.find ?? 3);
  const parallel = Number(values.parallel ?? os.availableParallelism());
  if (![search ?? 1, from, find, parallel].every((n) => Number.isInteger(n) && n > 0)) {
    process.stderr.write(`--search, --from, --find and --parallel are positive integers.\n\n${HELP}`);
    return 2;
  }
  const seedsOf = (m: ClassicMutant) =>
    search === undefined ? m.seeds : Array.from({ length: search }, (_, i) => from + i);
  // Without --search, a mutant recorded as not caught has no seeds to run: it is only reported.
  const skipped = search === undefined ? mutants.filter((m) => m.seeds.length === 0) : [];
  if (!values.json)
    for (const m of skipped)
      process.stdout.write(`${m.name}: not caught, as recorded: ${m.notCaught ?? ''}\n`);
  const runnable = mutants.filter((m) => !skipped.includes(m));
  const runs: MutantRun[] = runnable.map((m) => ({
    mutant: m,
    domain: m.domain ?? 'issues',
    seeds: seedsOf(m),
    ...(search === undefined ? {} : { stopAfter: find }),
  }));
  if (values.control) {
    for (const domain of new Set(runnable.map((m) => m.domain ?? 'issues'))) {
      const seeds = [...new Set(runnable.filter((m) => (m.domain ?? 'issues') === domain).flatMap(seedsOf))];
      runs.push({ domain, seeds });
    }
  }
  const started = Date.now();
  const describe = (o: Outcome) => {
    const found = o.caught.map((c) => `seed ${c.seed} (${c.invariants.join(', ')}; ${c.ms} ms)`).join(', ');
    return o.mutant === 'control'
      ? `control (${o.domain}): ${o.seedsRun} seeds, ${o.caught.length === 0 ? 'no violations' : `violations at ${found}`}`
      : `${o.mutant}: ${o.caught.length > 0 ? `caught at ${found}` : 'NOT caught'} (${o.seedsRun} seeds run)`;
  };
  const outcomeAt = (i: number, results: MutantSeedResult[] | Error): Outcome => {
    if (results instanceof Error) throw results;
    return outcomeOf(runs[i]!.mutant?.name ?? 'control', runs[i]!.domain!, results);
  };
  const outcomes = (
    await runMutants(runs, parallel, (i, results) => {
      if (!values.json && !(results instanceof Error))
        process.stdout.write(`${describe(outcomeAt(i, results))}\n`);
    })
  ).map((results, i) => outcomeAt(i, results));
  const missed = outcomes.filter((o) =>
    o.mutant === 'control' ? o.caught.length > 0 : o.caught.length === 0,
  );
  if (values.json)
    process.stdout.write(`${JSON.stringify({ outcomes, seconds: (Date.now() - started) / 1000 })}\n`);
  else process.stdout.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return missed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
