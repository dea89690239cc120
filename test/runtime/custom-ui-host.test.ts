// The local Custom UI host: the bridge script is injected ahead of the app's scripts, the issue
// and user come from the local Jira, and nothing outside the module's resource is served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { injectBridge } from '../../local-runtime/server/custom-ui-bridge.js';
import { startServer, type RunningServer } from '../../local-runtime/server/http-server.js';

const appDir = path.resolve(import.meta.dirname, '../..');

describe('custom UI host', () => {
  let rt: LocalForgeRuntime;
  let server: RunningServer;
  beforeAll(async () => {
    rt = await createRuntime({ appDir, clock: 'real' });
    server = await startServer(rt, { port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await rt.close();
  });

  const get = async (p: string) => {
    const response = await fetch(server.url + p);
    return { status: response.status, text: await response.text() };
  };

  it('injects the bridge first in <head>, with the issue resolved from the local Jira', async () => {
    const { status, text } = await get('/ui/checklist-panel/frame/?issue=app-2&account=user-viewer');
    expect(status).toBe(200);
    const bridgeAt = text.indexOf('data-forge-local-bridge');
    expect(bridgeAt).toBeGreaterThan(text.indexOf('<head>'));
    expect(bridgeAt).toBeLessThan(text.indexOf('<script type="module"'));
    expect(text).toContain('"issue":{"id":"10002","key":"APP-2","type":"Story","typeId":"10003"}');
    expect(text).toContain('"accountId":"user-viewer"');
  });

  it('serves a host page with the module in an iframe, and lists it among the routes', async () => {
    const { status, text } = await get('/ui/checklist-panel?issue=APP-1&account=user-admin');
    expect(status).toBe(200);
    expect(text).toContain('src="/ui/checklist-panel/frame/?issue=APP-1&amp;account=user-admin"');
    expect(server.describe().some((line) => line.includes('/ui/checklist-panel?issue='))).toBe(true);
  });

  it('answers 404 for unknown modules, issues, users and paths outside the resource', async () => {
    expect((await get('/ui/nope')).status).toBe(404);
    expect((await get('/ui/checklist-panel?issue=NOPE-9')).status).toBe(404);
    expect((await get('/ui/checklist-panel?issue=APP-1&account=mallory')).status).toBe(404);
    expect((await get('/ui/checklist-panel/frame/%2e%2e/%2e%2e/package.json')).status).toBe(404);
  });

  it('escapes the config so it cannot close the script element', () => {
    const html = injectBridge('<html><head></head></html>', {
      moduleKey: 'm',
      accountId: '</script><script>alert(1)</script>',
      context: { extension: {} },
    });
    expect(html.match(/<\/script>/g)).toHaveLength(1);
  });
});
