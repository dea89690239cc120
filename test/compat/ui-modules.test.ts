// UI modules of every kind with a resolver, not only issue panels: each resolver runs with the
// context Forge gives its module (extension.type, the product context, the one site), through
// createRuntime, the HTTP server and the Custom UI host, whose view.getContext() agrees with what
// the resolver receives.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { startServer, type RunningServer } from '../../local-runtime/server/http-server.js';

const APP_DIR = path.resolve(import.meta.dirname, '../fixtures/compat/ui-modules-app');
const USER = 'user-1';

type Context = Record<string, unknown> & { extension: Record<string, unknown> };

let rt: LocalForgeRuntime;
let server: RunningServer;
beforeAll(async () => {
  rt = await createRuntime({ appDir: APP_DIR, clock: 'real' });
  server = await startServer(rt, { port: 0 });
});
afterAll(async () => {
  await server.close();
  await rt.close();
});

const contextOf = (moduleKey: string, extension?: Record<string, unknown>) =>
  rt.invokeResolver({ moduleKey, functionKey: 'getContext', accountId: USER, extension }) as Promise<Context>;

/** What `@forge/resolver` adds to the front end's context from the backend payload. */
const RESOLVER_ADDITIONS = ['installContext', 'jobId', 'license', 'installation'];

describe('resolvers of every UI module kind', () => {
  it.each([
    ['admin-page', 'jira:adminPage'],
    ['global-page', 'jira:globalPage'],
    ['confluence-page', 'confluence:globalPage'],
    ['component-page', 'compass:componentPage'],
  ])('%s runs as a %s on the one local site', async (moduleKey, kind) => {
    const context = await contextOf(moduleKey);
    expect(context).toMatchObject({
      moduleKey,
      localId: `${moduleKey}-local`,
      accountId: USER,
      cloudId: rt.site.cloudId,
      siteUrl: 'https://context-demo.atlassian.net',
      installContext: `ari:cloud:jira::site/${rt.site.cloudId}`,
      environmentType: 'DEVELOPMENT',
      environmentId: rt.site.environmentId,
      extension: { type: kind },
    });
    // Forge gives no license in development environments (docs: ui-api-bridge/view, getContext).
    expect(context['license']).toBeUndefined();
  });

  it('gives an issue module its issue and project, completed from the local Jira', async () => {
    const context = await contextOf('issue-context', { issue: { key: 'SUP-1' } });
    expect(context.extension).toEqual({
      type: 'jira:issueContext',
      issue: { id: '20001', key: 'SUP-1', type: 'Bug', typeId: '10004' },
      project: { id: '10100', key: 'SUP', type: 'service_desk' },
      location: 'https://context-demo.atlassian.net/browse/SUP-1',
    });
  });

  it('gives a project page its project, and a gadget its dashboard and configuration', async () => {
    expect((await contextOf('project-page', { project: { key: 'SUP' } })).extension).toEqual({
      type: 'jira:projectPage',
      project: { id: '10100', key: 'SUP', type: 'service_desk' },
    });
    expect((await contextOf('context-gadget')).extension).toEqual({
      type: 'jira:dashboardGadget',
      gadgetConfiguration: {},
      dashboard: { id: 'local-dashboard' },
      gadget: { id: 'context-gadget-local' },
    });
  });

  it('passes a Confluence space as given: there is no local Confluence', async () => {
    const context = await contextOf('space-page', { space: { key: 'DS', id: '98306' } });
    expect(context.extension).toEqual({ type: 'confluence:spacePage', space: { key: 'DS', id: '98306' } });
  });

  it('refuses an extension of another module kind, and a remote resolver, saying why', async () => {
    await expect(contextOf('admin-page', { type: 'jira:issuePanel' })).rejects.toThrow(
      "Module 'admin-page' is a jira:adminPage, but the call's extension.type is 'jira:issuePanel'",
    );
    await expect(contextOf('remote-glance')).rejects.toThrow(/remote resolver \(endpoint remote-resolver\)/);
    expect(rt.warnings).toContainEqual(
      expect.stringContaining("jira:issueGlance 'remote-glance' has a remote resolver"),
    );
    expect(rt.warnings).toContain("manifest.yml's remotes: Forge Remote is not emulated");
    expect(rt.warnings).toContain(
      "Modules the local runtime does not emulate (ignored): endpoint 'remote-resolver'",
    );
  });
});

describe('over HTTP', () => {
  const post = async (p: string, body: unknown) => {
    const response = await fetch(server.url + p, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { value?: Context; error?: { message: string } },
    };
  };

  it('invokes any module kind through /api/invoke/{module}/{resolverKey}', async () => {
    const answer = await post('/api/invoke/space-page/getContext', {
      accountId: USER,
      extension: { space: { key: 'DS' } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.value).toMatchObject({
      moduleKey: 'space-page',
      extension: { type: 'confluence:spacePage', space: { key: 'DS' } },
    });
    expect((await post('/api/invoke/remote-glance/getContext', {})).status).toBe(501);
    expect((await post('/api/invoke/admin-page/getContext', { extension: { type: 'x' } })).status).toBe(400);
  });

  it("serves each module's page, whose view.getContext() is the context its resolver receives", async () => {
    for (const [moduleKey, query] of [
      ['issue-context', 'issue=SUP-1'],
      ['project-page', 'project=SUP'],
      ['admin-page', ''],
      ['space-page', 'space=DS'],
    ] as const) {
      const html = await (
        await fetch(`${server.url}/ui/${moduleKey}/frame/?${query}&account=${USER}`)
      ).text();
      const config = bridgeConfig(html);
      // What the bridge's invoke sends: POST /api/invoke/{module}/{key} with the page's extension.
      const answer = await post(`/api/invoke/${encodeURIComponent(config.moduleKey)}/getContext`, {
        payload: {},
        accountId: config.accountId,
        extension: config.context.extension,
      });
      const received = { ...answer.body.value };
      for (const key of RESOLVER_ADDITIONS) delete received[key];
      expect(received, moduleKey).toEqual(JSON.parse(JSON.stringify(config.context)));
    }
    const hostPage = await fetch(`${server.url}/ui/admin-page?account=${USER}`);
    expect(hostPage.status).toBe(200);
    expect(await hostPage.text()).toContain('src="/ui/admin-page/frame/?account=user-1"');
  });

  it('lists every Custom UI module, whatever its product, among the routes', () => {
    const lines = server.describe();
    for (const key of ['admin-page', 'project-page', 'issue-context', 'confluence-page', 'component-page'])
      expect(lines.some((line) => line.includes(`/ui/${key}?`))).toBe(true);
  });
});

/** The bridge configuration the host injected into the module's page. */
function bridgeConfig(html: string): { moduleKey: string; accountId: string; context: Context } {
  const match = /var config = (\{.*?\});\n/s.exec(html);
  if (!match) throw new Error(`No bridge configuration in the page:\n${html.slice(0, 500)}`);
  return JSON.parse(match[1]!) as { moduleKey: string; accountId: string; context: Context };
}
