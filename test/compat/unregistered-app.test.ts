// An app before `forge register` (no app.id), with modules the runtime does not emulate and Forge
// environment variables: it starts with warnings that say what is assumed and what is left out,
// and its functions read the variables as process.env, through createRuntime and `npm start`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { LOCAL_APP_ID } from '../../local-runtime/manifest/app-manifest.js';
import { startCli, type CliProcess } from '../cli/cli-process.js';

const APP_DIR = path.resolve(import.meta.dirname, '../fixtures/compat/unregistered-app');
const SECRET = 's3cr3t-t0ken-value';

const runtimes: LocalForgeRuntime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.close();
});

async function start(options: Parameters<typeof createRuntime>[0] = {}) {
  const lines: string[] = [];
  const rt = await createRuntime({ appDir: APP_DIR, log: (line) => lines.push(line), ...options });
  runtimes.push(rt);
  return { rt, lines };
}

async function greeting(rt: LocalForgeRuntime): Promise<unknown> {
  const answer = await rt.callWebTrigger('greeting-hook', { method: 'GET' });
  expect(answer.statusCode).toBe(200);
  return JSON.parse(answer.body) as unknown;
}

describe('an app without app.id', () => {
  it('starts on a local app id and says so, listing the modules it does not emulate', async () => {
    const { rt, lines } = await start();
    expect(rt.manifest.appId).toBe(LOCAL_APP_ID);
    expect(rt.warnings).toEqual([
      expect.stringMatching(/^manifest\.yml has no app\.id .*assumes ari:cloud:ecosystem::app\//),
      "Modules the local runtime does not emulate (ignored): jira:workflowValidator 'issue-validator', jira:entityProperty 'issue-props'",
    ]);
    expect(lines.filter((line) => line.startsWith('[runtime] warning: '))).toHaveLength(2);
    expect(await greeting(rt)).toEqual({ greeting: null, apiTokenLength: 0 });
  });
});

describe('environment variables', () => {
  it('reach functions as process.env from a .env file, FORGE_USER_VAR_ prefix or not', async () => {
    const { rt, lines } = await start({ envFile: '.env' });
    expect(rt.variableNames).toEqual(['API_TOKEN', 'GREETING']);
    expect(await greeting(rt)).toEqual({ greeting: 'Hello from .env', apiTokenLength: SECRET.length });
    // The host's own environment is untouched, and no value is ever logged.
    expect(process.env['GREETING']).toBeUndefined();
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('belong to their runtime: the variables option wins over the file, and another runtime sees none', async () => {
    const [a, b] = await Promise.all([
      start({ envFile: '.env', variables: { GREETING: 'Hello from the option' } }),
      start(),
    ]);
    const [fromA, fromB] = await Promise.all([greeting(a.rt), greeting(b.rt)]);
    expect(fromA).toEqual({ greeting: 'Hello from the option', apiTokenLength: SECRET.length });
    expect(fromB).toEqual({ greeting: null, apiTokenLength: 0 });
  });

  it('refuses a bad name or a missing file with a clear error', async () => {
    await expect(start({ variables: { 'MY-KEY': 'x' } })).rejects.toThrow(
      "Environment variable name 'MY-KEY' must be letters, digits and underscores",
    );
    await expect(start({ envFile: 'missing.env' })).rejects.toThrow(
      /Cannot read the environment variables file/,
    );
  });
});

describe('npm start on it', () => {
  let cli: CliProcess | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await cli?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    cli = undefined;
  });

  it('prints the warnings, the site and the variable names (never the values), and serves the variables', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fsw-unregistered-'));
    cli = await startCli(
      [
        ...['--app-dir', APP_DIR, '--data-dir', dataDir, '--port', '0', '--no-schedules', '--no-watch'],
        ...['--cloud-id', 'a1b2c3d4-0000-4000-8000-000000000042'],
      ],
      45_000,
      ['local-runtime/cli.ts', 'start'],
    );
    const output = cli.output();
    expect(output).toContain('[runtime] warning: manifest.yml has no app.id');
    expect(output).toContain("jira:workflowValidator 'issue-validator'");
    expect(output).toMatch(/variables: {2}API_TOKEN, GREETING \(values not shown\) from .*\.env/);
    expect(output).not.toContain(SECRET);
    expect(output).toContain('ari:cloud:jira::site/a1b2c3d4-0000-4000-8000-000000000042');
    const response = await fetch(`${cli.url}/webtrigger/greeting-hook`);
    expect(await response.json()).toEqual({ greeting: 'Hello from .env', apiTokenLength: SECRET.length });
  });
});
