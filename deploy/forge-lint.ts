// What `forge deploy` checks before it bundles, offline: @forge/manifest's full validation, then
// `forge lint`'s client-side rules from @forge/lint. One rule is left out: the scope rule
// (PermissionLinter) downloads Atlassian's REST API specifications at run time, which cannot
// happen here; `forge lint` on a machine with network runs it. See docs/deploying.md.
import path from 'node:path';
import { validate } from '@forge/manifest';
import { getClientSideLintersOnly, lint, PermissionLinter } from '@forge/lint';
import {
  ConfigFile,
  FileSystemReader,
  FileSystemWriter,
  listGitIgnoreFiles,
  StatsigReader,
  type StatsigService,
} from '@forge/cli-shared';

export interface LintProblem {
  /** `manifest.yml`, or the source file, relative to the app folder. */
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface LintReport {
  errors: LintProblem[];
  warnings: LintProblem[];
  /** Rules not run, with why. */
  skipped: string[];
}

export const SKIPPED_RULES = [
  'scopes (PermissionLinter): downloads the REST API specifications from developer.atlassian.com at run time',
];

/**
 * Feature gates and dynamic configuration come from Atlassian's servers. Offline every answer is
 * "unknown", which is what the CLI's own service answers when it cannot reach them.
 */
class OfflineStatsig extends StatsigReader {
  override async checkGate(): Promise<null> {
    return null;
  }
  override async getDynamicConfig(): Promise<null> {
    return null;
  }
}

export async function lintApp(appDir: string): Promise<LintReport> {
  const previousDir = process.cwd();
  // The validator, the config reader and the linters resolve every path from the working directory.
  process.chdir(appDir);
  try {
    const validation = await validate(false, path.join(appDir, 'manifest.yml'));
    const errors: LintProblem[] = (validation.errors ?? []).map((e) => ({
      file: 'manifest.yml',
      line: e.line ?? 0,
      column: e.column ?? 0,
      message: e.message,
    }));
    if (!validation.success) return { errors, warnings: [], skipped: SKIPPED_RULES };

    const reader = new FileSystemReader();
    const configFile = new ConfigFile(reader, new FileSystemWriter());
    const manifest = await configFile.readConfig();
    const exclude = [...(await listGitIgnoreFiles(reader)), '.git', 'node_modules'];
    const files = await reader.recursiveReadDir('./src', exclude);
    const logger = { info: () => undefined };
    const statsig = new OfflineStatsig() as unknown as StatsigService;
    const linters = (await getClientSideLintersOnly(manifest, 'development', logger, statsig)).filter(
      (linter) => !(linter instanceof PermissionLinter),
    );
    const results = await lint(files, manifest, 'development', logger, statsig, {
      linter: { mode: 'client-side' },
      linters,
    });
    const warnings: LintProblem[] = [];
    for (const result of results) {
      const file = path.relative(appDir, path.resolve(result.file));
      for (const e of result.errors)
        errors.push({ file, line: e.line, column: e.column, message: e.message });
      for (const w of result.warnings)
        warnings.push({ file, line: w.line, column: w.column, message: w.message });
    }
    return { errors, warnings, skipped: SKIPPED_RULES };
  } finally {
    process.chdir(previousDir);
  }
}
