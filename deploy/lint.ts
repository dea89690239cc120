// `npm run forge-lint`: the checks `forge deploy` runs before bundling, offline (see forge-lint.ts).
// Exits 1 on any error, as `forge lint` does.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { lintApp, type LintProblem } from './forge-lint';

const show = (kind: string, p: LintProblem) => `${kind} ${p.file}:${p.line}:${p.column} ${p.message}\n`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'app-dir': { type: 'string' } } });
  const report = await lintApp(path.resolve(values['app-dir'] ?? '.'));
  for (const e of report.errors) process.stdout.write(show('error  ', e));
  for (const w of report.warnings) process.stdout.write(show('warning', w));
  for (const s of report.skipped) process.stdout.write(`skipped ${s}\n`);
  process.stdout.write(
    `forge lint, offline: ${report.errors.length} error(s), ${report.warnings.length} warning(s), ` +
      `${report.skipped.length} rule(s) skipped.\n`,
  );
  return report.errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(2);
  },
);
