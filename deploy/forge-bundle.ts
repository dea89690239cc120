// Bundles a Forge app the way `forge deploy` does, offline: @forge/bundler's own Node-runtime
// webpack configuration (one entry per handler module in manifest.yml, its target, `[name].cjs`
// outputs and rules), compiled with the bundler's own TypeScript. What the CLI adds on top (the
// Forge runtime wrapper, downloaded from Atlassian's CDN at deploy time) is the only part left out.
// See docs/deploying.md.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { getCompiler, getEntryPoints, getNodeBundler, handleWebpackCompilationResult } from '@forge/bundler';
import type { BundlerArgs } from '@forge/bundler/out/types';
import type { WrapperProvider } from '@forge/bundler/out/wrapper-provider';
import { ConfigFile, FileSystemReader, FileSystemWriter, type Logger } from '@forge/cli-shared';
import type { Configuration, RuleSetRule, Stats } from 'webpack';

export interface BundledHandler {
  /** As written in manifest.yml, e.g. `consumer/index.handler`. */
  handler: string;
  /** The bundle file, e.g. `<outDir>/consumer/index.cjs`. */
  file: string;
  exportName: string;
}

export interface BundleResult {
  outDir: string;
  handlers: BundledHandler[];
  warnings: string[];
}

/** The bundler's TypeScript: what `forge deploy` compiles with, whatever the app's own version is. */
export function forgeTypeScriptPath(): string {
  return require.resolve('typescript', { paths: [path.dirname(require.resolve('@forge/bundler'))] });
}

/** Only `getConfigs` is used: it needs no network. Bundling for real also fetches the wrapper. */
const offlineWrapper: WrapperProvider = {
  getNodeRuntimeWrapper: () => Promise.reject(new Error('the Forge runtime wrapper is not fetched offline')),
  getNodeRuntimeLoader: () => Promise.reject(new Error('the Forge runtime loader is not fetched offline')),
};

interface NodeBundlerInternals {
  getBundler(): Promise<{ getConfigs(args: BundlerArgs): Promise<Configuration[]> }>;
}

/**
 * Bundles every handler module of the app in `appDir` into `outDir`. Throws the bundler's own
 * error (TypeScript errors, modules not found) if any entry fails to compile.
 */
export async function bundleApp(appDir: string, outDir: string): Promise<BundleResult> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const previousDir = process.cwd();
  // The bundler and its config reader resolve manifest.yml and src/ from the working directory.
  process.chdir(appDir);
  try {
    const configFile = new ConfigFile(new FileSystemReader(), new FileSystemWriter());
    const handlers = await configFile.getAppHandlers();
    const args: BundlerArgs = { appDirectory: appDir, entryPoints: getEntryPoints(handlers) };
    const bundler = getNodeBundler(logger, offlineWrapper, configFile) as unknown as NodeBundlerInternals;
    const configs = await (await bundler.getBundler()).getConfigs(args);
    if (configs.length !== 1) throw new Error(`expected one Node-runtime config, got ${configs.length}`);
    const config = configs[0]!;
    useForgeTypeScript(config);
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    config.output = { ...config.output, path: outDir };
    await compile(config, logger);
    return {
      outDir,
      warnings,
      handlers: handlers.map(({ module, func }) => ({
        handler: `${module}.${func}`,
        file: path.join(outDir, `${module}.cjs`),
        exportName: func,
      })),
    };
  } finally {
    process.chdir(previousDir);
  }
}

/**
 * ts-loader requires `typescript` from wherever it is installed; in the Forge CLI that is the
 * bundler's TypeScript 5.9. In this repository it would find the project's own, so name it.
 */
function useForgeTypeScript(config: Configuration): void {
  const compiler = forgeTypeScriptPath();
  for (const rule of config.module?.rules ?? []) {
    if (!rule || typeof rule !== 'object') continue;
    for (const use of [(rule as RuleSetRule).use].flat()) {
      if (use && typeof use === 'object' && 'loader' in use && use.loader === 'ts-loader') {
        use.options = { ...(use.options as Record<string, unknown>), compiler };
      }
    }
  }
}

function compile(config: Configuration, logger: Logger): Promise<void> {
  const compiler = getCompiler(config);
  return new Promise((resolve, reject) => {
    compiler.run((error, stats) => {
      try {
        handleWebpackCompilationResult(logger, error ?? null, stats as Stats);
      } catch (failure) {
        compiler.close(() => reject(failure));
        return;
      }
      compiler.close((closeError) => (closeError ? reject(closeError) : resolve()));
    });
  });
}

function collectingLogger(warnings: string[]): Logger {
  return {
    traceEnabled: false,
    debugEnabled: false,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (error) => warnings.push(error.message),
  };
}
