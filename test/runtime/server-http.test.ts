// The local HTTP server end to end on an ephemeral port: resolvers, web triggers, product events,
// scheduled triggers, counters, queues, health, static resources, and clear 4xx answers.
import { symlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import {
  startServer,
  type RunningServer,
  type ServerPlugin,
} from '../../local-runtime/server/http-server.js';
import { ALPHA_ONLY, VIEWER, testJira } from './jira-test-fixture.js';

const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');
let rt: LocalForgeRuntime;
let server: RunningServer;

beforeEach(async () => {
  rt = await createRuntime({ appDir, jira: testJira, clock: 'real' });
  server = await startServer(rt, { port: 0 });
});
afterEach(async () => {
  await server.close();
  await rt.close();
});

const call = (p: string, init?: RequestInit) => fetch(`${server.url}${p}`, init);
const postJson = (p: string, body: unknown) =>
  call(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A raw request, for paths `fetch` would normalise. */
function rawGet(rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: rawPath, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('resolvers over HTTP', () => {
  it('POST /api/invoke/{module}/{function} returns the value', async () => {
    const response = await postJson('/api/invoke/test-panel/whoami', {
      payload: { n: 1 },
      accountId: VIEWER,
      extension: { type: 'jira:issuePanel', issue: { id: '10101', key: 'ALPHA-2' } },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      value: { payload: { n: 1 }, accountId: VIEWER, extension: { issue: { key: 'ALPHA-2' } } },
    });
  });

  it('asUser through HTTP honours the user', async () => {
    const response = await postJson('/api/invoke/test-panel/issue-as-user', {
      payload: { issueKey: 'BETA-1' },
      accountId: ALPHA_ONLY,
    });
    expect(await response.json()).toMatchObject({ value: { status: 404 } });
  });

  it("a throwing resolver is a 500 carrying the handler's message", async () => {
    const response = await postJson('/api/invoke/test-panel/boom', {});
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      error: { message: 'The checklist is locked by another user', outcome: 'threw' },
    });
  });

  it('malformed requests get a clear 4xx', async () => {
    const badJson = await call('/api/invoke/test-panel/whoami', { method: 'POST', body: '{nope' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { message: string } }).error.message).toMatch(
      /not valid JSON/,
    );
    expect((await postJson('/api/invoke/test-panel/whoami', [1, 2])).status).toBe(400);
    expect((await postJson('/api/invoke/test-panel/whoami', { accountId: 42 })).status).toBe(400);
    expect((await postJson('/api/invoke/no-panel/whoami', {})).status).toBe(404);
    const get = await call('/api/invoke/test-panel/whoami');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await call('/api/nothing-here')).status).toBe(404);
    expect((await call('/api/invoke/test-panel/%E0%A4%A')).status).toBe(400);
    const big = await postJson('/api/invoke/test-panel/whoami', { payload: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    // Still serving after all of that.
    expect((await call('/api/health')).status).toBe(200);
  });
});

describe('web triggers over HTTP', () => {
  it('pass the full request through and return status, headers and body', async () => {
    const response = await call('/webtrigger/echo-hook/builds/7?env=prod&env=stage', {
      method: 'PUT',
      headers: { 'x-token': 'secret', 'content-type': 'text/plain' },
      body: 'raw body',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('one, two');
    const { request } = (await response.json()) as { request: Record<string, unknown> };
    expect(request).toMatchObject({
      method: 'PUT',
      path: '/builds/7',
      queryParameters: { env: ['prod', 'stage'] },
      body: 'raw body',
      headers: expect.objectContaining({ 'x-token': ['secret'], 'content-type': ['text/plain'] }),
    });
  });

  it('a throwing handler is a 500', async () => {
    const response = await call('/webtrigger/echo-hook/throw', { method: 'POST', body: 'x' });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: "Web trigger 'echo-hook' threw: deployment payload rejected",
    });
  });

  it('an unknown web trigger is a 404', async () => {
    expect((await call('/webtrigger/nope')).status).toBe(404);
  });

  it('the URL helper points at this server', () => {
    expect(rt.modules.webTriggerUrl('echo-hook')).toBe(`${server.url}/webtrigger/echo-hook`);
  });
});

describe('events, schedules and state', () => {
  it('POST /api/product-event runs the triggers', async () => {
    const response = await postJson('/api/product-event', {
      eventType: 'avi:jira:updated:issue',
      payload: { issue: { key: 'ALPHA-1' }, atlassianId: 'app-account-id' },
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      deliveries: Array<{ triggerKey: string; outcome: { status: string } }>;
    };
    expect(report.deliveries.map((d) => d.outcome.status)).toEqual(['skipped', 'returned']);
    expect((await postJson('/api/product-event', { payload: {} })).status).toBe(400);
  });

  it('POST /api/scheduled/{key} runs the trigger', async () => {
    const response = await call('/api/scheduled/nightly', { method: 'POST' });
    expect(await response.json()).toMatchObject({ outcome: { status: 'returned', value: { runs: 1 } } });
    expect((await call('/api/scheduled/nope', { method: 'POST' })).status).toBe(404);
  });

  it('GET /api/counters, /api/queues and /api/health', async () => {
    await call('/api/scheduled/nightly', { method: 'POST' });
    const counters = (await (await call('/api/counters')).json()) as Record<string, number>;
    expect(counters['functions.invocations']).toBe(1);
    expect(counters['kvs.requests']).toBeGreaterThan(0);
    expect(await (await call('/api/queues')).json()).toEqual({ pending: 0, inFlight: 0, events: [] });
    expect(await (await call('/api/health')).json()).toMatchObject({ ok: true, clock: 'real' });
    const listing = await call('/', { headers: { accept: 'application/json' } });
    expect(((await listing.json()) as { routes: string[] }).routes.length).toBeGreaterThan(5);
  });
});

describe('the home page', () => {
  it("links every Custom UI module per fixture issue and user, the plugins' pages and the routes", async () => {
    const plugin: ServerPlugin = {
      name: 'extra',
      handle: async () => false,
      describe: (base) => [`GET  ${base}/extra  an extra page`],
      links: () => [{ href: '/extra', title: 'Extra page', description: 'from a plugin' }],
    };
    const withPlugin = await startServer(rt, { port: 0, plugins: [plugin] });
    try {
      for (const accept of [undefined, 'text/html,application/xhtml+xml,*/*;q=0.8']) {
        const response = await fetch(`${withPlugin.url}/`, accept ? { headers: { accept } } : {});
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        const html = await response.text();
        const panelLinks = [...html.matchAll(/href="(\/ui\/test-panel\?[^"]+)"/g)].map((m) => m[1]);
        expect(panelLinks).toHaveLength(testJira.issues.length * testJira.users.length);
        expect(panelLinks).toContain(`/ui/test-panel?issue=BETA-12&amp;account=${VIEWER}`);
        expect(html).toContain('<a href="/extra">Extra page</a>');
        expect(html).toContain('POST /api/invoke/test-panel/{resolverKey}');
        expect(html).toContain('GET  /extra  an extra page');
      }
      const json = await fetch(`${withPlugin.url}/`, { headers: { accept: 'application/json' } });
      expect(((await json.json()) as { routes: string[] }).routes).toContain('GET  /extra  an extra page');
      // Every panel link opens the panel's host page.
      const first = `${withPlugin.url}/ui/test-panel?issue=ALPHA-1&account=${VIEWER}`;
      expect((await fetch(first)).status).toBe(200);
    } finally {
      await withPlugin.close();
    }
  });
});

describe('static resources', () => {
  it('serves files from the resource folder, index.html for the folder', async () => {
    const index = await call('/resources/panel/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(await index.text()).toContain('Test panel');
    const js = await call('/resources/panel/assets/app.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const redirect = await call('/resources/panel', { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect((await call('/resources/panel/missing.js')).status).toBe(404);
    expect((await call('/resources/nope/')).status).toBe(404);
  });

  it('never serves files outside the resource folder', async () => {
    expect(await rawGet('/resources/panel/../../secret.txt')).toBe(404);
    expect(await rawGet('/resources/panel/%2e%2e/%2e%2e/secret.txt')).toBe(404);
    expect(await rawGet('/resources/panel/..%2f..%2fsecret.txt')).toBe(404);
    expect(await rawGet('/resources/panel/%5c..%5c..%5csecret.txt')).toBe(404);
    const link = path.join(appDir, 'static/panel/escape.txt');
    rmSync(link, { force: true });
    symlinkSync(path.join(appDir, 'secret.txt'), link);
    try {
      expect(await rawGet('/resources/panel/escape.txt')).toBe(404);
    } finally {
      rmSync(link, { force: true });
    }
  });
});
