// The issue panel in headless Chromium: the built front end (static/issue-panel, `npm run build`)
// with the real @forge/bridge, hosted by the local runtime's Custom UI host, against the real
// resolvers, queue and consumer on a real clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator, Page } from 'playwright-core';
import { launchBrowser, startApp, type BrowserSession, type RunningApp } from './browser-harness.js';
import type { ResolverResult, ResponseOf } from '../../src/shared/resolver-api.js';

const ISSUE = { id: '10001', key: 'APP-1', type: 'Bug' };
const STALE_TEXT =
  'Someone changed this issue while you were editing; your change was not applied. The view is refreshed.';
const TIMEOUT = 20_000;

describe('issue panel in a browser', () => {
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

  async function openPanel(issueKey = ISSUE.key): Promise<{ page: Page; panel: FrameLocator }> {
    const page = await browser.context.newPage();
    await page.goto(`${app.url}/ui/checklist-panel?issue=${issueKey}&account=user-admin`);
    const panel = page.frameLocator('[data-testid="custom-ui-frame"]');
    await panel.locator('[data-testid="view-version"][data-version]').waitFor({ timeout: TIMEOUT });
    return { page, panel };
  }

  /** Another path to the same issue: the resolver as another user, outside the browser. */
  async function submitElsewhere(payload: unknown, issue = ISSUE): Promise<void> {
    const sent = (await app.rt.invokeResolver({
      functionKey: 'submitCommand',
      payload,
      accountId: 'user-app-dev',
      extension: { type: 'jira:issuePanel', issue },
    })) as ResolverResult<ResponseOf<'submitCommand'>>;
    if (!sent.ok) throw new Error(sent.error.message);
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      const polled = (await app.rt.invokeResolver({
        functionKey: 'getStatuses',
        payload: { commandIds: [sent.value.commandId] },
        accountId: 'user-app-dev',
        extension: { type: 'jira:issuePanel', issue },
      })) as ResolverResult<ResponseOf<'getStatuses'>>;
      if (polled.ok && polled.value.statuses[0]?.status === 'applied') return;
      if (Date.now() > deadline) throw new Error('the command submitted elsewhere never applied');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  function status(panel: FrameLocator, state: string, text?: string) {
    const region = panel.locator(`[data-testid="command-status"][data-state="${state}"]`);
    return text ? region.filter({ hasText: text }) : region;
  }

  it('adds an item, checks it, and watches each edit go from pending to applied', async () => {
    const { page, panel } = await openPanel();
    // The page looks like an issue view, and the panel is inside it.
    expect(await page.getByTestId('host-issue-key').textContent()).toBe('APP-1');
    expect(await panel.getByTestId('checklist-empty').isVisible()).toBe(true);

    await panel.getByTestId('add-input').fill('Write the release notes');
    await panel.getByTestId('add-submit').click();
    await status(panel, 'pending', 'Add “Write the release notes”').waitFor({ timeout: TIMEOUT });
    // While it settles the panel takes no second edit made from the same, soon stale, view.
    expect(await panel.getByTestId('add-input').isDisabled()).toBe(true);
    await status(panel, 'applied', 'Add “Write the release notes”').waitFor({ timeout: TIMEOUT });
    const item = panel.getByTestId('checklist-item').filter({ hasText: 'Write the release notes' });
    await item.waitFor({ timeout: TIMEOUT });
    await panel.locator('[data-testid="view-version"][data-version="1"]').waitFor({ timeout: TIMEOUT });

    // click, not check(): check() would retry until the box stays checked, hiding the pending phase.
    await item.getByTestId('item-check').click();
    await status(panel, 'pending', 'Check “Write the release notes”').waitFor({ timeout: TIMEOUT });
    await status(panel, 'applied', 'Check “Write the release notes”').waitFor({ timeout: TIMEOUT });
    await panel.locator('[data-testid="view-version"][data-version="2"]').waitFor({ timeout: TIMEOUT });
    expect(await item.getByTestId('item-check').isChecked()).toBe(true);
    expect(await panel.getByTestId('checklist-progress').textContent()).toBe('1/1 done');
    // Accessible: the status region is announced, and every control is named.
    expect(await panel.getByTestId('command-status').getAttribute('aria-live')).toBe('polite');
    expect(await item.getByRole('button', { name: 'Remove “Write the release notes”' }).count()).toBe(1);

    await page.screenshot({ path: '/tmp/issue-panel.png', fullPage: true });
    await page.close();
  });

  it('explains a stale-view rejection and refreshes the view', async () => {
    const issue = { id: '10002', key: 'APP-2', type: 'Story' };
    await submitElsewhere(
      { type: 'checklist.add', payload: { itemId: 'existing', text: 'Existing item' } },
      issue,
    );
    const { page, panel } = await openPanel(issue.key);
    await panel.locator('[data-testid="view-version"][data-version="1"]').waitFor({ timeout: TIMEOUT });

    // Someone else changes the issue after the panel loaded it.
    await submitElsewhere(
      { type: 'checklist.add', payload: { itemId: 'elsewhere', text: 'Added elsewhere', rank: 5 } },
      issue,
    );
    expect(await panel.getByTestId('checklist-item').filter({ hasText: 'Added elsewhere' }).count()).toBe(0);

    const existing = panel.getByTestId('checklist-item').filter({ hasText: 'Existing item' });
    await existing.getByTestId('item-check').click();
    await status(panel, 'rejected', STALE_TEXT).waitFor({ timeout: TIMEOUT });
    // The view now shows the issue as it is: the other change, and the refused one not applied.
    await panel.locator('[data-testid="view-version"][data-version="2"]').waitFor({ timeout: TIMEOUT });
    await panel
      .getByTestId('checklist-item')
      .filter({ hasText: 'Added elsewhere' })
      .waitFor({ timeout: TIMEOUT });
    expect(await existing.getByTestId('item-check').isChecked()).toBe(false);
    expect(await existing.getByTestId('item-check').isEnabled()).toBe(true);
    await page.close();
  });

  it('renames, moves and removes items, each edit applied in turn', async () => {
    const issue = { id: '10003', key: 'APP-3', type: 'Task' };
    await submitElsewhere(
      { type: 'checklist.add', payload: { itemId: 'first', text: 'First', rank: 1 } },
      issue,
    );
    await submitElsewhere(
      { type: 'checklist.add', payload: { itemId: 'second', text: 'Second', rank: 2 } },
      issue,
    );
    const { page, panel } = await openPanel(issue.key);
    const texts = () => panel.getByTestId('item-text').allTextContents();
    await panel.locator('[data-testid="view-version"][data-version="2"]').waitFor({ timeout: TIMEOUT });
    expect(await texts()).toEqual(['First', 'Second']);

    const first = panel.locator('[data-testid="checklist-item"][data-item-id="first"]');
    await first.getByTestId('item-rename').click();
    await panel.getByTestId('rename-input').fill('First, renamed');
    await panel.getByTestId('rename-save').click();
    await status(panel, 'applied', 'Rename').waitFor({ timeout: TIMEOUT });
    await panel.locator('[data-testid="view-version"][data-version="3"]').waitFor({ timeout: TIMEOUT });
    expect(await texts()).toEqual(['First, renamed', 'Second']);

    await first.getByTestId('item-down').click();
    await status(panel, 'applied', 'Move').waitFor({ timeout: TIMEOUT });
    await panel.locator('[data-testid="view-version"][data-version="4"]').waitFor({ timeout: TIMEOUT });
    expect(await texts()).toEqual(['Second', 'First, renamed']);

    await first.getByTestId('item-remove').click();
    await status(panel, 'applied', 'Remove').waitFor({ timeout: TIMEOUT });
    await panel.locator('[data-testid="view-version"][data-version="5"]').waitFor({ timeout: TIMEOUT });
    expect(await texts()).toEqual(['Second']);
    await page.close();
  });

  it('makes a failing resolver call reject the bridge like Forge, shown as a typed error', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${app.url}/ui/checklist-panel?issue=APP-1&account=user-admin`);
    const frame = page.frameLocator('[data-testid="custom-ui-frame"]');
    await frame.locator('[data-testid="view-version"][data-version]').waitFor({ timeout: TIMEOUT });
    const message = await frame.locator('body').evaluate(() =>
      (
        window as unknown as { __bridge: { callBridge(name: string, payload: unknown): Promise<unknown> } }
      ).__bridge
        .callBridge('invoke', { functionKey: 'noSuchResolver', payload: {} })
        .then(
          () => 'resolved',
          (error: Error) => error.message,
        ),
    );
    expect(message).toMatch(/^There was an error invoking the function - /);
    await page.close();
  });
});
