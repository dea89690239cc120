// Runs the given seeds of one domain in this process and prints their results as one JSON line.
// Started by mutant-workspace.ts inside a mutated copy of the repository, so the code under test
// (consumer, producers, operator and checks alike) is the copy's.
import { parseArgs } from 'node:util';
import { runSeed, type SeedResult } from './run-seed.js';

export interface MutantSeedResult extends Omit<SeedResult, 'trace'> {
  /** Wall time of the seed, to pick fast ones for the test. */
  ms: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seeds: { type: 'string' }, domain: { type: 'string' }, 'stop-after': { type: 'string' } },
  });
  const seeds = (values.seeds ?? '').split(',').filter(Boolean).map(Number);
  if (seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s > 0))
    throw new Error(`--seeds takes positive integers separated by commas, not '${values.seeds}'`);
  const stopAfter = Number(values['stop-after'] ?? Infinity);
  const results: MutantSeedResult[] = [];
  let caught = 0;
  for (const seed of seeds) {
    const started = performance.now();
    const result = await runSeed(seed, values.domain ? { domain: values.domain } : {});
    results.push({ ...result, ms: Math.round(performance.now() - started) });
    if (result.violations.length > 0 && ++caught >= stopAfter) break;
  }
  // Written in full before the process exits: stdout is a pipe, and exit would cut it short.
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(results)}\n`, () => resolve()));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
