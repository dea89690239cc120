// Shared set-up for the browser tests: Debian's Chromium driven by playwright-core (which never
// downloads a browser), and the repository's app on the local runtime behind its HTTP server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import consolePlugin from '../../console/console-plugin.js';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { startServer, type ServerPlugin } from '../../local-runtime/server/http-server.js';
import type { ResolverResult, ResponseOf } from '../../src/shared/resolver-api.js';

export const appDir = path.resolve(import.meta.dirname, '../..');

/** `scripts/ensure-chromium.sh` installs it on a fresh machine (`npm test` runs it first). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  readonly context: BrowserContext;
  /** The page the browser opened with; `context.newPage()` gives more. */
  readonly page: Page;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, so no test sees another's cookies or storage. */
export async function launchBrowser(): Promise<BrowserSession> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'fsw-chromium-'));
  let context: BrowserContext;
  try {
    // Playwright refuses `--user-data-dir` in args: a persistent context is how it takes one.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface StartAppOptions extends RuntimeOptions {
  /** Server plugins; default: the app's console. */
  plugins?: ServerPlugin[];
}

export interface RunningApp {
  readonly rt: LocalForgeRuntime;
  /** The server's base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops the server, then the runtime. */
  close(): Promise<void>;
}

/**
 * The repository's app on the local runtime, served on a free port with the console. A real clock
 * and some delivery latency by default, so a browser sees commands go pending before they settle.
 * The handlers run from the bundle Forge's bundler made (`npm run bundle`, run before the tests):
 * the browser drives the code `forge deploy` would upload.
 */
export async function startApp(options: StartAppOptions = {}): Promise<RunningApp> {
  const { plugins = [consolePlugin], ...runtimeOptions } = options;
  const rt = await createRuntime({
    appDir,
    clock: 'real',
    handlers: 'bundle',
    ...runtimeOptions,
    latency: { delivery: [200, 400], ...runtimeOptions.latency },
  });
  let server;
  try {
    server = await startServer(rt, { port: 0, plugins });
  } catch (error) {
    await rt.close();
    throw error;
  }
  const running = server;
  return {
    rt,
    url: running.url,
    async close() {
      await running.close();
      await rt.close();
    },
  };
}

/** The checklist panel's Custom UI frame, loaded on `issueKey` as `account`. */
export async function openPanel(
  app: RunningApp,
  browser: BrowserSession,
  issueKey: string,
  account: string,
  options: { timeout: number; beforeLoad?: (page: Page) => void },
): Promise<{ page: Page; panel: FrameLocator }> {
  const page = await browser.context.newPage();
  options.beforeLoad?.(page);
  await page.goto(`${app.url}/ui/checklist-panel?issue=${issueKey}&account=${account}`);
  const panel = page.frameLocator('[data-testid="custom-ui-frame"]');
  await panel.locator('[data-testid="view-version"][data-version]').waitFor({ timeout: options.timeout });
  return { page, panel };
}

/** Another path to the same issue: the resolver as another user, outside the browser. */
export async function submitAsAnotherUser(
  app: RunningApp,
  issue: { id: string; key: string },
  payload: unknown,
): Promise<void> {
  const sent = (await app.rt.invokeResolver({
    functionKey: 'submitCommand',
    payload,
    accountId: 'user-app-dev',
    extension: { type: 'jira:issuePanel', issue },
  })) as ResolverResult<ResponseOf<'submitCommand'>>;
  if (!sent.ok) throw new Error(sent.error.message);
}
