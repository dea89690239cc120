// The console page's files, and `npm start`'s way of loading the plugin: the CLI under tsx.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir, type RunningApp } from '../browser/browser-harness.js';
import { call, startConsoleApp } from './console-fixture.js';

describe('the console page', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startConsoleApp();
  });
  afterAll(() => app?.close());

  it('serves the HTML with a strict content security policy, saying it is local only', async () => {
    const response = await fetch(`${app.url}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('Local only');
    expect(html).toContain('/console/console.js');
  });

  it('serves the script as JavaScript compiled from TypeScript, and the styles', async () => {
    const script = await fetch(`${app.url}/console/console.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    const js = await script.text();
    expect(js).toContain('/api/console/snapshot');
    expect(js).not.toMatch(/import type|: HTMLElement/);
    const css = await fetch(`${app.url}/console/console.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  it.each([
    ['GET', '/console/nope.js', 404],
    ['GET', '/console/../package.json', 404],
    ['GET', '/console/%2e%2e%2fpackage.json', 404],
    ['POST', '/console', 405],
    ['DELETE', '/console/console.js', 405],
  ])('%s %s answers %i in JSON', async (method, p, status) => {
    const response = await call(app, p, { method });
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { status } });
  });

  it('answers HEAD without a body', async () => {
    const response = await fetch(`${app.url}/console`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});

describe('npm start with --plugin console/console-plugin.ts', () => {
  let child: ChildProcess | undefined;
  let dataDir: string;
  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('loads the plugin under tsx and lists and serves the console', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fsw-console-cli-'));
    const tsx = path.join(appDir, 'node_modules', '.bin', 'tsx');
    const args = ['local-runtime/cli.ts', 'start', '--port', '0', '--no-schedules', '--data-dir', dataDir];
    child = spawn(tsx, [...args, '--plugin', 'console/console-plugin.ts'], {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = child;
    const output = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${text}`)), 30_000);
      const take = (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('Press Ctrl+C')) {
          clearTimeout(timer);
          resolve(text);
        }
      };
      started.stdout?.on('data', take);
      started.stderr?.on('data', take);
      started.on('exit', (code) => reject(new Error(`exited with ${code}:\n${text}`)));
    });
    const url = /Serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    expect(output).toContain(`${url}/console`);
    expect(output).toContain('/api/console/dead-letters/replay');
    expect((await fetch(`${url}/console`)).status).toBe(200);
    const snapshot = await fetch(`${url}/api/console/snapshot`);
    expect(snapshot.status).toBe(200);
    expect(await snapshot.json()).toMatchObject({ clock: 'real' });
  });
});
