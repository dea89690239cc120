// The live panel in headless Chromium: page B shows page A's change through Forge Realtime (the
// runtime's emulation, the real @forge/realtime in the consumer and the real @forge/bridge in the
// panel), without a reload and without polling; with Realtime failing, it polls with backoff and
// still shows the change, and stops polling once Realtime is back. Clicks are real mouse clicks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator, Page, Request } from 'playwright-core';
import {
  launchBrowser,
  openPanel as openPanelAs,
  startApp,
  submitAsAnotherUser,
  type BrowserSession,
  type RunningApp,
} from './browser-harness.js';

const TIMEOUT = 20_000;

describe('live issue panel', () => {
  let app: RunningApp;
  let browser: BrowserSession;
  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  interface Opened {
    page: Page;
    panel: FrameLocator;
    /** The resolver calls this page made, by resolver name, in order. */
    calls: string[];
    /** Navigations of the page or its panel after it first loaded (a reload would be one). */
    navigations: number;
  }

  async function openPanel(issueKey: string, account: string): Promise<Opened> {
    const calls: string[] = [];
    const { page, panel } = await openPanelAs(app, browser, issueKey, account, {
      timeout: TIMEOUT,
      beforeLoad: (p) =>
        p.on('request', (request: Request) => {
          const match = /\/api\/invoke\/[^/]+\/([^/?]+)/.exec(request.url());
          if (match?.[1]) calls.push(match[1]);
        }),
    });
    const opened: Opened = { page, panel, calls, navigations: 0 };
    page.on('framenavigated', () => opened.navigations++);
    return opened;
  }

  function mode(panel: FrameLocator, which: 'live' | 'polling') {
    return panel.locator(`[data-testid="live-mode"][data-mode="${which}"]`);
  }

  const submitElsewhere = (issue: { id: string; key: string }, payload: unknown) =>
    submitAsAnotherUser(app, issue, payload);

  it("shows page A's change on page B within 2 s, with no reload and no polling request", async () => {
    const a = await openPanel('APP-5', 'user-admin');
    const b = await openPanel('APP-5', 'user-app-dev');
    await mode(a.panel, 'live').waitFor({ timeout: TIMEOUT });
    await mode(b.panel, 'live').waitFor({ timeout: TIMEOUT });
    // Idle and live: B asks nothing of the resolvers.
    b.calls.length = 0;
    await b.page.waitForTimeout(3000);
    expect(b.calls).toEqual([]);

    const before = app.rt.metered();
    await a.panel.getByTestId('add-input').fill('Shown live on B');
    await a.panel.getByTestId('add-submit').click();
    const clicked = Date.now();
    await b.panel
      .getByTestId('checklist-item')
      .filter({ hasText: 'Shown live on B' })
      .waitFor({ timeout: TIMEOUT });
    const shownAfterMs = Date.now() - clicked;
    expect(shownAfterMs).toBeLessThan(2000);
    // One read, asked by the message; no status poll, no view poll, no reload.
    expect(b.calls).toEqual(['getIssueState']);
    expect(b.navigations).toBe(0);
    const after = app.rt.metered();
    expect(after['realtime.publishes'] - before['realtime.publishes']).toBeGreaterThanOrEqual(1);
    expect(after['realtime.deliveries'] - before['realtime.deliveries']).toBeGreaterThanOrEqual(2);
    await a.page.close();
    await b.page.close();
  });

  it('shows a change applied while it was subscribing, though no later change prompts it', async () => {
    const issue = { id: '10007', key: 'APP-7' };
    const version = () =>
      (app.rt.storage.getEntity('issue-state', issue.id) as { version?: number } | undefined)?.version ?? 0;
    // Someone else's edit is applied while this panel waits for its Realtime token. Realtime does
    // not replay it, and nothing changes afterwards that would announce it.
    let raced = false;
    let applied!: () => void;
    const appliedWhileSubscribing = new Promise<void>((resolve) => (applied = resolve));
    const { page, panel } = await openPanelAs(app, browser, issue.key, 'user-app-dev', {
      timeout: TIMEOUT,
      beforeLoad: (p) =>
        void p.route(/\/api\/invoke\/[^/]+\/getRealtimeToken/, async (route) => {
          if (!raced) {
            raced = true;
            await submitElsewhere(issue, {
              type: 'checklist.add',
              payload: { itemId: 'raced', text: 'Applied while subscribing' },
            });
            const deadline = Date.now() + TIMEOUT;
            while (version() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
            applied();
          }
          await route.continue();
        }),
    });
    await appliedWhileSubscribing;
    expect(version()).toBe(1);
    await mode(panel, 'live').waitFor({ timeout: TIMEOUT });
    await panel
      .getByTestId('checklist-item')
      .filter({ hasText: 'Applied while subscribing' })
      .waitFor({ timeout: 5000 });
    await page.close();
  });

  it('falls back to polling while Realtime fails, shows the change, and stops polling once it is back', async () => {
    const issue = { id: '10006', key: 'APP-6' };
    const b = await openPanel(issue.key, 'user-app-dev');
    await mode(b.panel, 'live').waitFor({ timeout: TIMEOUT });
    // Realtime goes down: B's stream ends, and B falls back to polling the view.
    app.rt.realtime.setDown(true);
    await mode(b.panel, 'polling').waitFor({ timeout: TIMEOUT });
    const a = await openPanel(issue.key, 'user-admin');
    await mode(a.panel, 'polling').waitFor({ timeout: TIMEOUT });
    await a.panel.getByTestId('add-input').fill('Shown by polling');
    await a.panel.getByTestId('add-submit').click();
    await b.panel
      .getByTestId('checklist-item')
      .filter({ hasText: 'Shown by polling' })
      .waitFor({ timeout: TIMEOUT });
    expect(b.calls.filter((c) => c === 'getIssueState').length).toBeGreaterThan(1);
    expect(b.navigations).toBe(0);
    expect(app.rt.metered()['realtime.failed']).toBeGreaterThan(0);

    // Back up: B subscribes again (its retries back off), then polls no more.
    app.rt.realtime.setDown(false);
    await mode(b.panel, 'live').waitFor({ timeout: 30_000 });
    await b.page.waitForTimeout(500);
    b.calls.length = 0;
    await b.page.waitForTimeout(5000);
    expect(b.calls).toEqual([]);
    // And live again: a change elsewhere reaches B without polling.
    await submitElsewhere(issue, { type: 'checklist.add', payload: { itemId: 'back', text: 'Live again' } });
    await b.panel
      .getByTestId('checklist-item')
      .filter({ hasText: 'Live again' })
      .waitFor({ timeout: TIMEOUT });
    expect(b.calls).toEqual(['getIssueState']);
    await a.page.close();
    await b.page.close();
  }, 90_000);
});
