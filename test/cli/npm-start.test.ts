// `npm start` as users run it: the real CLI in a child process, driven over HTTP. Its functions
// run and log: a signed deployment call is accepted, a product event and a scheduled trigger
// return, and their app logs reach the terminal, each line prefixed with its function. Every
// `sh` example of docs/local-runtime.md then runs against it and shows the output the page shows.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/producers/deployments/webhook-signature.js';
import { shellExamples } from '../docs/markdown-blocks.js';
import { repoDir, startCli, type CliProcess } from './cli-process.js';

const run = promisify(execFile);
const PANEL = { type: 'jira:issuePanel', issue: { id: '10001', key: 'APP-1' } };

let cli: CliProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'fsw-npm-start-'));
  // A latency file, as a user would pass one: short delivery delays keep the queue visible.
  const latencyFile = path.join(dataDir, 'latency.json');
  await writeFile(latencyFile, JSON.stringify({ delivery: [20, 60] }));
  cli = await startCli([
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--no-schedules',
    '--latency',
    latencyFile,
    '--hold-back',
    'fixed-1s',
  ]);
});
afterAll(async () => {
  const code = await cli?.stop();
  await rm(dataDir, { recursive: true, force: true });
  expect(code).toBe(0);
});

const post = (p: string, body: unknown) =>
  fetch(`${cli.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A terminal line of an app log: `[function inv-N] LEVEL text`. */
const appLog = (functionKey: string, level: string, text: string) =>
  new RegExp(`^\\[${functionKey} inv-\\d+\\] ${level} ${text}`, 'm');

describe('npm start', () => {
  it('prints its latency model and where to start', () => {
    expect(cli.output()).toContain(
      'latency:    ' +
        path.join(dataDir, 'latency.json') +
        ' (KVS read 0 ms, KVS write 0 ms, push 0 ms, delivery 20-60 ms, Jira 0 ms)',
    );
    expect(cli.output()).toContain(`Open ${cli.url}/ in a browser`);
    expect(cli.output()).toContain('hold-back:  fixed-1s');
  });

  it('refuses a hold-back model it does not know, naming the ones it does', async () => {
    const refused = await run('npx', ['tsx', 'local-runtime/cli.ts', 'start', '--hold-back', 'soon'], {
      cwd: repoDir,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toContain(
      "--hold-back takes one of doubling-4s, fixed-1s, gaps-4-16s; got 'soon'",
    );
  });

  it('accepts a correctly signed deployment call with 202, and logs it', async () => {
    const rotated = await post('/api/invoke/checklist-panel/rotateWebhookSecret', {
      accountId: 'user-admin',
      extension: PANEL,
    });
    const { value } = (await rotated.json()) as { value: { ok: boolean; value: { secret: string } } };
    expect(value.ok).toBe(true);

    const body = JSON.stringify({
      issueKey: 'APP-1',
      eventId: 'cli-test-deploy-1',
      environment: 'staging',
      status: 'succeeded',
      at: Date.now(),
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomUUID();
    const response = await fetch(`${cli.url}/webtrigger/deployment-webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forge-timestamp': timestamp,
        'x-forge-nonce': nonce,
        'x-forge-signature': signRequest(value.value.secret, timestamp, nonce, body),
      },
      body,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ commandIds: [expect.stringMatching(/^deploy-/)] });
    await cli.waitFor(/^\[webtrigger\] deployment-webhook: POST \/ -> 202$/m);
  });

  it('answers a GET on the deployment web trigger with 405, and the refusal is in the app log', async () => {
    const response = await fetch(`${cli.url}/webtrigger/deployment-webhook`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    await cli.waitFor(appLog('on-deployment-webhook', 'WARN', 'Deployment webhook refused: 405'));
    await cli.waitFor(/^\[webtrigger\] deployment-webhook: GET \/ -> 405$/m);
  });

  it('runs the Jira trigger on a product event, which returns and logs', async () => {
    const response = await post('/api/product-event', {
      eventType: 'avi:jira:commented:issue',
      payload: { issue: { key: 'APP-2' }, atlassianId: 'user-viewer', comment: { id: '40001' } },
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { deliveries: Array<{ outcome: { status: string } }> };
    expect(report.deliveries.length).toBeGreaterThan(0);
    expect(report.deliveries.map((d) => d.outcome.status)).toEqual(report.deliveries.map(() => 'returned'));
    await cli.waitFor(appLog('on-issue-event', 'LOG', 'avi:jira:commented:issue for issue 10002: enqueued'));
  });

  it('runs the scheduled trigger, which returns and logs', async () => {
    const response = await post('/api/scheduled/daily-report', {});
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: { status: 'returned' } });
    await cli.waitFor(
      appLog('on-report-schedule', 'LOG', 'Scheduled report scheduled-\\d{4}-\\d\\d-\\d\\d started'),
    );
    await cli.waitFor(/^\[scheduled\] daily-report: returned$/m);
  });

  it('runs every sh example of docs/local-runtime.md with the output the page shows', async () => {
    const examples = shellExamples('docs/local-runtime.md');
    expect(examples.length).toBeGreaterThan(10);
    const port = new URL(cli.url).port;
    for (const example of examples) {
      const script = example.script.replaceAll('127.0.0.1:8787', `127.0.0.1:${port}`);
      expect(script, `docs/local-runtime.md:${example.line} names another server`).not.toContain('8787');
      // A poll (getStatuses, listReports) may need a moment for the queue: ask again, as a reader would.
      let stdout = '';
      for (let attempt = 0; attempt < 20; attempt++) {
        ({ stdout } = await run('bash', ['-c', `set -euo pipefail\n${script}`], { timeout: 20_000 }));
        if (example.expected.test(stdout)) break;
        await sleep(250);
      }
      expect(stdout, `docs/local-runtime.md:${example.line}`).toMatch(example.expected);
    }
  });

  it('had no function throw, and never overflowed the stack', () => {
    expect(cli.output()).not.toMatch(/threw|Maximum call stack/);
  });
});

describe('npm start --latency', () => {
  it.each([
    ['nope.json', /--latency takes none, realistic or a JSON file; cannot read 'nope.json'/],
    ['{"deliver":5}', /is not a latency model: unknown field 'deliver'/],
    ['{"delivery":[2000,500]}', /is not a latency model: 'delivery' must be milliseconds/],
  ])('refuses %s with a usage error', async (given, message) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fsw-latency-'));
    try {
      let file = given;
      if (given.startsWith('{')) {
        file = path.join(dir, 'latency.json');
        await writeFile(file, given);
      }
      const args = ['--import', 'tsx', 'local-runtime/cli.ts', 'start', '--data-dir', dir, '--latency', file];
      const failed = await run(process.execPath, args, { cwd: repoDir }).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failed?.code).toBe(2);
      expect(failed?.stderr).toMatch(message);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
