// `npm start` / `npm run forge-local -- <command>`: runs the Forge app in the current folder on the
// local runtime. No top-level await: the package is CommonJS under tsx.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  describeLatency,
  LATENCY_PRESETS,
  parseLatencyModel,
  ZERO_LATENCY,
  type LatencyModel,
} from './kernel/latency.js';
import { hostConsole } from './kernel/sandbox.js';
import { HOLD_BACK_MODELS, type HoldBackModel } from './events/hold-back.js';
import { PLATFORM_PROFILES, type PlatformProfileName } from './kvs/platform-profile.js';
import { tunnelVariables } from './functions/app-variables.js';
import { bundleWithForge, reloadOnSave } from './reload-on-save.js';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from './runtime.js';
import { startServer, type ServerPlugin } from './server/http-server.js';

/** `text` in lines of at most `width` characters, each indented by `indent` spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

const HELP = `Usage: forge-local <command> [options]

Commands:
  start                       Run the app with a real clock and serve it over HTTP.
  invoke <resolverKey>        Call a resolver once and print its result as JSON.
  help                        Show this help.

Options (all commands):
  --app-dir <dir>             The app folder with manifest.yml (default: current folder)
  --data-dir <dir>            Where KVS data lives (default: <app-dir>/.local-data)
  --jira <file>               Jira fixture (default: <app-dir>/fixtures/jira.json; missing = empty Jira)
  --seed <n>                  Seed of the runtime's random choices (default: 1)
  --latency <model>           How long platform operations take, so progress can be watched:
                              none (default), realistic (Forge's order of magnitude), or a JSON
                              file with some of kvsRead, kvsWrite, push, delivery, jira, each in
                              ms: a number or [min, max], e.g. {"delivery": [500, 2000]}
  --platform <profile>        How to answer what Forge's docs leave open (failed-condition codes,
                              conditions on missing keys, query filters and page size, TTL on
                              overwrite), one of:
${wrap(Object.keys(PLATFORM_PROFILES).join(', '), 30, 100)}
                              (default: default; see local-runtime/kvs/platform-profile.ts)
  --hold-back <model>         How long an event over its concurrency limit waits (Forge does not
                              say): ${Object.keys(HOLD_BACK_MODELS).join(', ')}
                              (default: doubling-4s; see local-runtime/events/hold-back.ts)
  --env-file <file>           Forge environment variables (forge variables set), NAME=value lines,
                              read by the app as process.env.NAME (default: <app-dir>/.env if it
                              exists). FORGE_USER_VAR_NAME in the shell sets NAME too, as under
                              forge tunnel. Only the names are printed, never the values.
  --cloud-id <id>             The site's cloud id in every module's context (default: a fixed
                              local one)
  --site-url <url>            The site's URL in every module's context (default: the local Jira's)
  -h, --help                  Show this help

Options (start):
  --port <n>                  HTTP port (default: 8787; 0 picks a free one)
  --host <addr>               Address to listen on (default: 127.0.0.1)
  --no-schedules              Do not run scheduled triggers on their intervals
  --bundle                    Run what Forge's bundler makes of the app (as \`forge deploy\` uploads
                              it): bundle at start, and again after each save
  --no-watch                  Do not reload handlers when a file under src/ is saved
  --plugin <module>           Serve an app's own pages too: a module whose default export is a
                              ServerPlugin (repeatable), e.g. --plugin console/console-plugin.ts

Options (invoke):
  --module <key>              UI module whose resolver to call (default: the first with one)
  --payload <json>            The invoke payload (default: {})
  --account-id <id>           The user calling (needed for asUser())
  --extension <json>          The module's extension context, e.g. {"type":"jira:issuePanel","issue":{"id":"10001","key":"APP-1"}}
`;

const OPTIONS = {
  'app-dir': { type: 'string' },
  'data-dir': { type: 'string' },
  jira: { type: 'string' },
  seed: { type: 'string' },
  latency: { type: 'string' },
  platform: { type: 'string' },
  'hold-back': { type: 'string' },
  'env-file': { type: 'string' },
  'cloud-id': { type: 'string' },
  'site-url': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'no-schedules': { type: 'boolean' },
  bundle: { type: 'boolean' },
  'no-watch': { type: 'boolean' },
  plugin: { type: 'string', multiple: true },
  module: { type: 'string' },
  payload: { type: 'string' },
  'account-id': { type: 'string' },
  extension: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

function integer(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function json(value: string | undefined, name: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new UsageError(`--${name} is not valid JSON: ${value}`);
  }
}

/** `none`, `realistic`, or a JSON file holding part of a LatencyModel (the rest is zero). */
function latency(value: string | undefined): LatencyModel {
  if (value === undefined || value === 'none') return ZERO_LATENCY;
  if (value === 'realistic') return LATENCY_PRESETS.realistic;
  const usage = `--latency takes none, realistic or a JSON file`;
  let text: string;
  try {
    text = readFileSync(path.resolve(value), 'utf8');
  } catch (error) {
    throw new UsageError(`${usage}; cannot read '${value}': ${(error as Error).message}`);
  }
  try {
    return { ...ZERO_LATENCY, ...parseLatencyModel(JSON.parse(text) as unknown) };
  } catch (error) {
    throw new UsageError(`${usage}; '${value}' is not a latency model: ${(error as Error).message}`);
  }
}

/** A named platform profile (kvs/platform-profile.ts). */
function platform(value: string | undefined): PlatformProfileName {
  if (value === undefined) return 'default';
  if (!Object.hasOwn(PLATFORM_PROFILES, value))
    throw new UsageError(
      `--platform takes one of ${Object.keys(PLATFORM_PROFILES).join(', ')}; got '${value}'`,
    );
  return value as PlatformProfileName;
}

function holdBack(value: string | undefined): HoldBackModel {
  if (value === undefined) return 'doubling-4s';
  if (!Object.hasOwn(HOLD_BACK_MODELS, value))
    throw new UsageError(
      `--hold-back takes one of ${Object.keys(HOLD_BACK_MODELS).join(', ')}; got '${value}'`,
    );
  return value as HoldBackModel;
}

/** `log` receives the runtime's lines and the app's logs (each prefixed with its function). */
function runtimeOptions(values: Values, log: (line: string) => void): RuntimeOptions {
  const appDir = path.resolve(values['app-dir'] ?? process.cwd());
  const dataDir = path.resolve(appDir, values['data-dir'] ?? '.local-data');
  mkdirSync(dataDir, { recursive: true });
  return {
    appDir,
    clock: 'real',
    seed: integer(values.seed, 'seed', 1, 0, 2 ** 32 - 1),
    storage: { kind: 'sqlite', file: path.join(dataDir, 'kvs.sqlite') },
    ...(values.jira ? { jira: path.resolve(values.jira) } : {}),
    latency: latency(values.latency),
    platform: platform(values.platform),
    events: { holdBack: holdBack(values['hold-back']) },
    ...environment(appDir, values['env-file']),
    site: {
      ...(values['cloud-id'] ? { cloudId: values['cloud-id'] } : {}),
      ...(values['site-url'] ? { siteUrl: values['site-url'] } : {}),
    },
    log,
  };
}

/**
 * The app's environment variables: the `.env`-style file (`--env-file`, or the app folder's `.env`
 * when there is one), then `FORGE_USER_VAR_*` from the shell, which win, as under `forge tunnel`.
 */
function environment(
  appDir: string,
  envFile: string | undefined,
): Pick<RuntimeOptions, 'envFile' | 'variables'> {
  const file = envFile !== undefined ? path.resolve(envFile) : path.join(appDir, '.env');
  if (envFile !== undefined && !existsSync(file)) throw new UsageError(`--env-file: no file at ${file}`);
  return {
    ...(existsSync(file) ? { envFile: file } : {}),
    variables: tunnelVariables(process.env),
  };
}

async function loadPlugins(modules: string[]): Promise<ServerPlugin[]> {
  const plugins: ServerPlugin[] = [];
  for (const module of modules) {
    type Loaded = { default?: ServerPlugin & { default?: ServerPlugin } };
    const loaded = (await import(pathToFileURL(path.resolve(module)).href)) as Loaded;
    // A TypeScript module compiled to CommonJS arrives as `{ default: { default: plugin } }`.
    const plugin = typeof loaded.default?.handle === 'function' ? loaded.default : loaded.default?.default;
    if (!plugin || typeof plugin.handle !== 'function')
      throw new Error(`${module} has no default-exported ServerPlugin`);
    plugins.push(plugin);
  }
  return plugins;
}

async function start(values: Values): Promise<void> {
  const port = integer(values.port, 'port', 8787, 0, 65535);
  // The process's own console: `console` inside an invocation is the app's log, not the terminal.
  const log = (line: string) => hostConsole.log(line);
  const options = runtimeOptions(values, log);
  const handlers = values.bundle ? 'bundle' : 'source';
  if (handlers === 'bundle') {
    console.log("Bundling the app with Forge's bundler (npm run bundle)...");
    const bundled = await bundleWithForge(options.appDir!);
    if (!bundled.ok) throw new Error(`Bundling failed:\n${bundled.output}`);
  }
  const rt = await createRuntime({ ...options, handlers });
  let server;
  try {
    server = await startServer(rt, {
      port,
      host: values.host ?? '127.0.0.1',
      log: (line) => hostConsole.error(line),
      plugins: await loadPlugins(values.plugin ?? []),
    });
  } catch (error) {
    await rt.close();
    throw error;
  }
  const stopSchedules = values['no-schedules'] ? () => undefined : rt.modules.startSchedules();
  const stopWatching = values['no-watch'] ? () => undefined : reloadOnSave(rt, { handlers, log });
  console.log(`Local Forge runtime: app ${rt.manifest.appId}`);
  console.log(`  app folder: ${rt.manifest.appDir}`);
  console.log(`  site:       ${rt.site.siteUrl} (cloud id ${rt.site.cloudId}, ${rt.site.installContext})`);
  console.log(
    `  variables:  ${rt.variableNames.length === 0 ? 'none' : `${rt.variableNames.join(', ')} (values not shown)`}` +
      (options.envFile ? ` from ${options.envFile}` : ''),
  );
  console.log(
    `  KVS data:   ${options.storage && options.storage.kind === 'sqlite' ? options.storage.file : 'memory'}`,
  );
  const model = { ...ZERO_LATENCY, ...options.latency };
  console.log(`  latency:    ${values.latency ?? 'none'} (${describeLatency(model)})`);
  console.log(`  platform:   ${String(options.platform)} profile (local-runtime/kvs/platform-profile.ts)`);
  console.log(`  hold-back:  ${String(options.events?.holdBack)} (local-runtime/events/hold-back.ts)`);
  console.log(
    `  handlers:   ${handlers === 'bundle' ? 'the Forge bundle in .forge-bundle/' : 'the sources in src/'}` +
      (values['no-watch'] ? '' : ', reloaded when a file under src/ is saved'),
  );
  console.log(`Serving on ${server.url}`);
  for (const line of server.describe()) console.log(`  ${line}`);
  console.log(`Open ${server.url}/ in a browser: the app's UI modules, pages and routes.`);
  console.log('App logs follow, each line prefixed with [function invocation]. Press Ctrl+C to stop.');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: closing the runtime...`);
    stopSchedules();
    stopWatching();
    void server
      .close()
      .then(() => rt.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function invoke(values: Values, functionKey: string | undefined): Promise<void> {
  if (!functionKey) throw new UsageError('invoke needs the resolver key: forge-local invoke <resolverKey>');
  const extension = json(values.extension, 'extension');
  if (
    extension !== undefined &&
    (typeof extension !== 'object' || extension === null || Array.isArray(extension))
  ) {
    throw new UsageError('--extension must be a JSON object');
  }
  let rt: LocalForgeRuntime | undefined;
  try {
    // Logs go to stderr, so stdout holds only the resolver's JSON.
    rt = await createRuntime(runtimeOptions(values, (line) => hostConsole.error(line)));
    const value = await rt.modules.invokeResolver({
      moduleKey: values.module,
      functionKey,
      payload: json(values.payload, 'payload') ?? {},
      accountId: values['account-id'],
      extension: extension as Record<string, unknown> | undefined,
    });
    // Async events the resolver pushed are delivered before the process ends.
    await rt.runUntilIdle();
    console.log(JSON.stringify(value ?? null, null, 2));
  } finally {
    await rt?.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    if (command === 'start') {
      if (rest.length > 0) throw new UsageError(`start takes no arguments, got: ${rest.join(' ')}`);
      await start(values);
      return -1;
    }
    if (command === 'invoke') {
      await invoke(values, rest[0]);
      return 0;
    }
    throw new UsageError(`Unknown command '${command}'`);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\nRun with --help for usage.`);
      return 2;
    }
    console.error((error as Error)?.stack ?? String(error));
    return 1;
  }
}

// `start` keeps the process alive (-1); every other command sets its exit code.
void main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exitCode = code;
});
