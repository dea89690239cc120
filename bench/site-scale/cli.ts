// `npm run bench:scale`: Forge use at site scale, projected from the benchmark's measured
// per-command costs. Reads a saved `npm run bench -- --json` output, or runs the bench itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import prettier from 'prettier';
import { CHART_FILES, renderCharts } from './charts.js';
import { DEFAULT_SWEEP, sweep, type BenchSource } from './sweep.js';
import { renderCeilingTable } from './table.js';
import { mergeBenchOutputs, parseBenchOutput, unitCosts } from './unit-costs.js';

const REPO = path.resolve(__dirname, '..', '..');
const BENCH_ARGS = [
  '--json',
  '--scenario',
  'spread,report,hot-issue',
  '--hold-back',
  'doubling-4s',
  '--no-speed',
];
export const RESULT_FILE = 'site-scale.json';

const HELP = `Usage: npm run bench:scale -- [options]

Projects each approach's Forge use at site scale (10 to 100,000 issues, 1 to 5,000 commands a
minute, a daily report over every issue) against one installation's limits, from the
benchmark's measured per-command costs, and finds each approach's highest sustainable rate.
Writes ${RESULT_FILE} and SVG charts into --out, and prints the table (or the JSON).

Options:
  --from FILES         saved "npm run -s bench -- --json" outputs, comma-separated (runs of
                       other scenarios at the same commit, read as one run); default: run the
                       bench now: npm run -s bench -- ${BENCH_ARGS.join(' ')}
  --bench-commit SHA   the commit the saved outputs were measured at (needed when their JSON
                       has no meta.commit; overrides it when given)
  --bench-command CMD  the command that printed it (default: npm run -s bench -- --json)
  --report-window MIN  the daily report runs within this many minutes (default ${DEFAULT_SWEEP.report.windowMinutes})
  --out DIR            where to write the JSON and the charts (default docs/site-scale)
  --json               print the JSON instead of the table
  -h, --help           show this help
`;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim();
}

function runBench(): { raw: unknown; bench: BenchSource } {
  const dirty = git('status', '--porcelain', '--', 'bench', 'src', 'local-runtime') !== '';
  const commit = `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (with uncommitted changes)' : ''}`;
  process.stderr.write(`running npm run -s bench -- ${BENCH_ARGS.join(' ')}\n`);
  const stdout = execFileSync('npm', ['run', '-s', 'bench', '--', ...BENCH_ARGS], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
  return {
    raw: JSON.parse(stdout),
    bench: { command: `npm run -s bench -- ${BENCH_ARGS.join(' ')}`, commit },
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      'bench-commit': { type: 'string' },
      'bench-command': { type: 'string' },
      'report-window': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const windowMinutes = Number(values['report-window'] ?? DEFAULT_SWEEP.report.windowMinutes);
  if (!(windowMinutes > 0 && windowMinutes <= 1_440)) {
    process.stderr.write(`--report-window is a number of minutes in (0, 1440]\n\n${HELP}`);
    return 2;
  }
  const { raw, bench } =
    values.from === undefined
      ? runBench()
      : {
          raw: values.from.split(',').map((file) => JSON.parse(readFileSync(file, 'utf8')) as unknown),
          bench: {
            command: values['bench-command'] ?? 'npm run -s bench -- --json',
            commit: values['bench-commit'] ?? '',
            file: values.from
              .split(',')
              .map((file) => path.relative(REPO, path.resolve(file)))
              .join(','),
          },
        };
  const outputs = (Array.isArray(raw) ? raw : [raw]).map(parseBenchOutput);
  // --bench-commit names what the runs measured, overriding what they say: the bench prints the
  // commit HEAD is at when it ends, which in a shared working tree may not be the code it ran.
  if (values['bench-commit'] !== undefined) for (const o of outputs) delete o.meta?.commit;
  const output = mergeBenchOutputs(outputs);
  // A bench output that names its commit (meta.commit) needs no --bench-commit.
  bench.commit ||= output.meta?.commit ?? '';
  if (bench.commit === '') {
    process.stderr.write(`this bench output names no commit: give --bench-commit\n\n${HELP}`);
    return 2;
  }
  const options = { ...DEFAULT_SWEEP, report: { windowMinutes } };
  const result = sweep(unitCosts(output), bench, options);
  const out = path.resolve(values.out ?? path.join(REPO, 'docs', 'site-scale'));
  mkdirSync(out, { recursive: true });
  // JSON has no Infinity: a rate no measured limit bounds is written as null. Formatted as the
  // repository's format check wants it, so a regenerated file passes npm test.
  const resultFile = path.join(out, RESULT_FILE);
  const json = await prettier.format(
    JSON.stringify(result, (_, v: unknown) => (v === Infinity ? null : v)),
    { ...(await prettier.resolveConfig(resultFile)), filepath: resultFile },
  );
  writeFileSync(resultFile, json);
  const charts = await renderCharts(result);
  for (const [name, svg] of Object.entries(charts))
    writeFileSync(path.join(out, CHART_FILES[name as keyof typeof CHART_FILES]), `${svg}\n`);
  process.stderr.write(
    `wrote ${RESULT_FILE} and ${Object.keys(charts).length} charts to ${path.relative(REPO, out)}/\n`,
  );
  process.stdout.write(values.json ? json : `${renderCeilingTable(result, options.tableIssues)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
