// `npx tsx sim/cpu-per-seed.ts --from 1 --seeds 60`: runs seeds one after another in this process
// and prints the CPU time they took, per seed and per accepted command, and the slowest seeds. CPU
// time rather than wall time, so runs can be compared while other work shares the machine.
import { parseArgs } from 'node:util';
import { runSeed } from './run-seed.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, seeds: { type: 'string' }, domain: { type: 'string' } },
  });
  const from = Number(values.from ?? 1);
  const count = Number(values.seeds ?? 60);
  if (![from, count].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('--from and --seeds are positive integers');
  const runs: Array<{ seed: number; cpuMs: number; commands: number }> = [];
  for (let seed = from; seed < from + count; seed++) {
    const before = process.cpuUsage();
    const result = await runSeed(seed, values.domain ? { domain: values.domain } : {});
    const used = process.cpuUsage(before);
    runs.push({ seed, cpuMs: (used.user + used.system) / 1000, commands: result.commands });
  }
  const cpuMs = runs.reduce((n, r) => n + r.cpuMs, 0);
  const commands = runs.reduce((n, r) => n + r.commands, 0);
  const slowest = [...runs].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 5);
  process.stdout.write(
    `${count} seeds from ${from}: ${Math.round(cpuMs)} ms of CPU, ${Math.round(cpuMs / count)} ms per seed, ` +
      `${commands} commands, ${(cpuMs / commands).toFixed(2)} ms per command; slowest: ` +
      `${slowest.map((r) => `${r.seed} (${Math.round(r.cpuMs)} ms, ${r.commands} commands)`).join(', ')}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
