// The ui-modules app's Custom UI page in a browser, on a module that is not an issue panel: the real
// @forge/bridge's view.getContext() and invoke() run against the local host, and the context the
// page sees is the one its resolver receives.
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { startServer, type RunningServer } from '../../local-runtime/server/http-server.js';
import { launchBrowser, type BrowserSession } from '../browser/browser-harness.js';

const APP_DIR = path.resolve(import.meta.dirname, '../fixtures/compat/ui-modules-app');
const PAGE_DIR = path.join(APP_DIR, 'static/context-page');

let rt: LocalForgeRuntime;
let server: RunningServer;
let browser: BrowserSession;
beforeAll(async () => {
  // What the app's own build step would do (`npm run build` in a Custom UI app): bundle the page
  // with @forge/bridge into build/, which git ignores.
  await build({
    entryPoints: [path.join(PAGE_DIR, 'src/main.js')],
    outfile: path.join(PAGE_DIR, 'build/main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  });
  rt = await createRuntime({ appDir: APP_DIR, clock: 'real' });
  server = await startServer(rt, { port: 0 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rt?.close();
});

describe('a project page in the browser', () => {
  it('shows the same context from view.getContext() and from its resolver', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/ui/project-page?project=SUP&account=user-1`);
    const frame = page.frameLocator('[data-testid="custom-ui-frame"]');
    await frame
      .locator('#title', { hasText: 'jira:projectPage: Hello, world!' })
      .waitFor({ timeout: 20_000 });
    const viewContext = JSON.parse(await frame.locator('#view-context').innerText()) as Record<
      string,
      unknown
    >;
    const resolverContext = JSON.parse(await frame.locator('#resolver-context').innerText()) as Record<
      string,
      unknown
    >;
    expect(viewContext).toMatchObject({
      moduleKey: 'project-page',
      accountId: 'user-1',
      cloudId: rt.site.cloudId,
      extension: { type: 'jira:projectPage', project: { id: '10100', key: 'SUP', type: 'service_desk' } },
    });
    // The resolver's context is the page's plus what @forge/resolver adds from the backend payload.
    expect(resolverContext).toEqual({ ...viewContext, installContext: rt.site.installContext });
    await page.close();
  });
});
