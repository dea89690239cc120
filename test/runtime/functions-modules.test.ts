// The app's modules invoked as Forge would, running real `@forge/resolver` / `@forge/api` /
// `@forge/kvs` code from the fixture app: resolvers, product triggers, web and scheduled triggers.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { ResolverError, UnknownModuleError } from '../../local-runtime/functions/app-modules.js';
import { ADMIN, ALPHA_ONLY, NOBODY, VIEWER, testJira } from './jira-test-fixture.js';

const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');
const issuePanel = {
  type: 'jira:issuePanel',
  issue: { id: '10101', key: 'ALPHA-2', type: 'Bug' },
  project: { id: '10000', key: 'ALPHA', type: 'software' },
};
const recorded = () =>
  (
    globalThis as {
      __functionsAppRecord?: { triggers: Array<{ event: Record<string, unknown>; context: unknown }> };
    }
  ).__functionsAppRecord ?? { triggers: [] };

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir, jira: testJira });
  recorded().triggers.length = 0;
});
afterEach(() => rt.close());

describe('resolvers', () => {
  it('see the payload, context.accountId and context.extension', async () => {
    const value = await rt.modules.invokeResolver({
      functionKey: 'whoami',
      payload: { itemId: 'a', when: new Date(Date.UTC(2026, 0, 2)) },
      accountId: VIEWER,
      extension: issuePanel,
    });
    expect(value).toEqual({
      // The payload crosses the wire as JSON, as from the browser.
      payload: { itemId: 'a', when: '2026-01-02T00:00:00.000Z' },
      accountId: VIEWER,
      // Completed as Forge gives it to an issue panel (docs: jira-issue-panel, "Extension data").
      extension: {
        ...issuePanel,
        isNewToIssue: false,
        location: `${rt.site.siteUrl}/browse/ALPHA-2`,
      },
      cloudId: expect.any(String),
      moduleKey: 'test-panel',
      installContext: expect.stringMatching(/^ari:cloud:jira::site\//),
    });
    expect(rt.metered()['functions.invocations']).toBe(1);
  });

  it('asUser() is refused for a user without access while asApp() reads the issue', async () => {
    const asUser = await rt.modules.invokeResolver({
      functionKey: 'issue-as-user',
      payload: { issueKey: 'BETA-3' },
      accountId: ALPHA_ONLY,
    });
    expect(asUser).toMatchObject({ status: 404 });
    const asApp = await rt.modules.invokeResolver({
      functionKey: 'issue-as-app',
      payload: { issueKey: 'BETA-3' },
      accountId: ALPHA_ONLY,
    });
    expect(asApp).toMatchObject({
      status: 200,
      body: { key: 'BETA-3', fields: { summary: 'BETA issue 3' } },
    });
    const allowed = await rt.modules.invokeResolver({
      functionKey: 'issue-as-user',
      payload: { issueKey: 'ALPHA-3' },
      accountId: ALPHA_ONLY,
    });
    expect(allowed).toMatchObject({ status: 200, body: { key: 'ALPHA-3' } });
    expect(rt.metered()['jira.requests']).toBe(3);
  });

  it("asUser() answers with the calling user's permissions", async () => {
    const call = (accountId: string) =>
      rt.modules.invokeResolver({ functionKey: 'can-edit', accountId, extension: issuePanel });
    expect(await call(ALPHA_ONLY)).toEqual({ status: 200, edit: true });
    expect(await call(VIEWER)).toEqual({ status: 200, edit: false });
    expect(await call(NOBODY)).toEqual({ status: 404, edit: false });
  });

  it('asUser() without a user gets a 401 from the runtime', async () => {
    expect(
      await rt.modules.invokeResolver({ functionKey: 'issue-as-user', payload: { issueKey: 'ALPHA-1' } }),
    ).toMatchObject({ status: 401 });
  });

  it('page through the JQL search with the real @forge/api, each issue once', async () => {
    const result = (await rt.modules.invokeResolver({
      functionKey: 'all-keys',
      payload: { jql: 'project in (ALPHA, BETA) ORDER BY key ASC', pageSize: 10 },
      accountId: ADMIN,
    })) as { keys: string[]; pages: number };
    expect(result.pages).toBe(4);
    expect(result.keys).toHaveLength(37);
    expect(new Set(result.keys).size).toBe(37);
  });

  it("a throwing resolver raises a ResolverError that keeps the handler's message", async () => {
    const error = await rt.modules
      .invokeResolver({ functionKey: 'boom', accountId: ADMIN })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolverError);
    expect(error).toMatchObject({
      message: 'The checklist is locked by another user',
      outcome: 'threw',
      moduleKey: 'test-panel',
      functionKey: 'boom',
    });
  });

  it('an undefined resolver key is the error @forge/resolver raises', async () => {
    await expect(rt.modules.invokeResolver({ functionKey: 'nope' })).rejects.toThrow(
      "Resolver has no definition for 'nope'.",
    );
  });

  it('an unknown module is an UnknownModuleError', async () => {
    await expect(
      rt.modules.invokeResolver({ moduleKey: 'other-panel', functionKey: 'whoami' }),
    ).rejects.toBeInstanceOf(UnknownModuleError);
  });

  it('refuses payloads over 500 KB', async () => {
    await expect(
      rt.modules.invokeResolver({ functionKey: 'whoami', payload: { blob: 'x'.repeat(600 * 1024) } }),
    ).rejects.toThrow(/500 KB/);
  });
});

describe('product event triggers', () => {
  it('deliver a Forge-shaped payload to every subscribed trigger, with the issue filled in', async () => {
    const report = await rt.modules.fireProductEvent('avi:jira:updated:issue', {
      issue: { key: 'ALPHA-2' },
      atlassianId: VIEWER,
      changelog: { items: [{ field: 'status', fromString: 'To Do', toString: 'In Progress' }] },
    });
    expect(report.deliveries.map((d) => [d.triggerKey, d.outcome.status])).toEqual([
      ['issue-updated', 'returned'],
      ['issue-updated-all', 'returned'],
    ]);
    const [first, second] = recorded().triggers;
    expect(first!.event).toEqual({
      eventType: 'avi:jira:updated:issue',
      issue: { id: '10101', key: 'ALPHA-2', fields: expect.objectContaining({ summary: 'ALPHA issue 2' }) },
      atlassianId: VIEWER,
      timestamp: new Date(rt.clock.now()).toISOString(),
      changelog: { items: [{ field: 'status', fromString: 'To Do', toString: 'In Progress' }] },
    });
    expect(first!.context).toMatchObject({ cloudId: expect.any(String), moduleKey: 'issue-updated' });
    expect(second!.context).toMatchObject({ moduleKey: 'issue-updated-all' });
  });

  it("ignoreSelf skips events the app's own account caused; other triggers still get them", async () => {
    const report = await rt.modules.fireProductEvent('avi:jira:updated:issue', {
      issue: { key: 'ALPHA-2' },
      atlassianId: 'app-account-id',
    });
    expect(report.deliveries.map((d) => [d.triggerKey, d.outcome.status])).toEqual([
      ['issue-updated', 'skipped'],
      ['issue-updated-all', 'returned'],
    ]);
    expect(recorded().triggers.map((t) => (t.context as { moduleKey: string }).moduleKey)).toEqual([
      'issue-updated-all',
    ]);
  });

  it('only triggers subscribed to the event type run', async () => {
    const created = await rt.modules.fireProductEvent('avi:jira:created:issue', { issue: { id: '10200' } });
    expect(created.deliveries.map((d) => d.triggerKey)).toEqual(['issue-updated']);
    expect(recorded().triggers[0]!.event['issue']).toMatchObject({ key: 'BETA-1' });
    const none = await rt.modules.fireProductEvent('avi:jira:deleted:issue', { issue: { id: '10200' } });
    expect(none.deliveries).toEqual([]);
  });
});

describe('web triggers', () => {
  it("get Forge's request shape and return Forge's response shape", async () => {
    const response = await rt.modules.callWebTrigger('echo-hook', {
      method: 'post',
      path: '/deployments/42',
      headers: { 'Content-Type': ['application/json'], 'X-Multi': ['a', 'b'] },
      queryParameters: { env: ['prod'], tag: ['x', 'y'] },
      body: '{"ok":true}',
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ 'Content-Type': ['application/json'], 'X-Echo': ['one', 'two'] });
    const echoed = JSON.parse(response.body) as { request: Record<string, unknown>; context: unknown };
    expect(echoed.request).toEqual({
      method: 'POST',
      path: '/deployments/42',
      headers: { 'content-type': ['application/json'], 'x-multi': ['a', 'b'] },
      queryParameters: { env: ['prod'], tag: ['x', 'y'] },
      body: '{"ok":true}',
      context: { cloudId: expect.any(String), moduleKey: 'echo-hook' },
    });
    expect(echoed.context).toMatchObject({ moduleKey: 'echo-hook' });
  });

  it('a handler that throws gives a 500', async () => {
    const response = await rt.modules.callWebTrigger('echo-hook', { path: '/throw' });
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: "Web trigger 'echo-hook' threw: deployment payload rejected",
    });
  });

  it('an invalid response shape gives a 500 saying what is wrong', async () => {
    const response = await rt.modules.callWebTrigger('echo-hook', { path: '/bad-shape' });
    expect(response.statusCode).toBe(500);
    expect(response.body).toMatch(/invalid response: statusCode is undefined/);
  });

  it('has a URL on the local server, and unknown keys are errors', async () => {
    expect(rt.modules.webTriggerUrl('echo-hook')).toBe('http://127.0.0.1:8787/webtrigger/echo-hook');
    await expect(rt.modules.callWebTrigger('nope')).rejects.toBeInstanceOf(UnknownModuleError);
  });
});

describe('scheduled triggers', () => {
  it("run with Forge's scheduled payload and report the outcome", async () => {
    const run = await rt.modules.runScheduledTrigger('nightly');
    expect(run).toMatchObject({
      triggerKey: 'nightly',
      functionKey: 'on-schedule',
      outcome: { status: 'returned', value: { runs: 1 } },
    });
    expect(rt.kvs.inspect.get('scheduled-event')).toEqual({
      context: { cloudId: expect.any(String), moduleKey: 'nightly' },
    });
    await rt.modules.runScheduledTrigger('nightly');
    expect(rt.kvs.inspect.get('scheduled-runs')).toBe(2);
    await expect(rt.modules.runScheduledTrigger('hourly')).rejects.toBeInstanceOf(UnknownModuleError);
  });

  it('run at their interval once started, until stopped', async () => {
    const runs: string[] = [];
    const stop = rt.modules.startSchedules((run) => runs.push(run.outcome.status));
    await rt.advance(3 * 86_400_000 + 1000);
    stop();
    await rt.runUntilIdle();
    expect(runs).toEqual(['returned', 'returned', 'returned']);
    expect(rt.kvs.inspect.get('scheduled-runs')).toBe(3);
  });
});
