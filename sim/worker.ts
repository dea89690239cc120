// Runs a slice of the seeds in its own process and reports each result to the parent.
import { runSeed, type SeedOptions } from './run-seed.js';

async function main(): Promise<void> {
  const seeds = (process.argv[2] ?? '').split(',').filter(Boolean).map(Number);
  const options = JSON.parse(process.argv[3] ?? '{}') as SeedOptions;
  for (const seed of seeds) process.send?.({ type: 'result', result: await runSeed(seed, options) });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.send?.({
      type: 'crash',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exit(1);
  },
);
