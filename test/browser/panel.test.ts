// The issue panel in headless Chromium: the built front end (static/issue-panel, `npm run build`)
// with the real @forge/bridge, hosted by the local runtime's Custom UI host, against the real
// resolvers, queue and consumer on a real clock. Clicks are real mouse clicks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator } from 'playwright-core';
import {
  launchBrowser,
  openPanel as openPanelAs,
  startApp,
  submitAsAnotherUser,
  type BrowserSession,
  type RunningApp,
} from './browser-harness.js';
import type { ResolverResult, ResponseOf } from '../../src/shared/resolver-api.js';
import type { IssueReceipt, IssueRecord } from '../../src/shared/issue-data/issue-writer.js';

const ISSUE = { id: '10001', key: 'APP-1', type: 'Bug' };
const TIMEOUT = 20_000;
type Issue = typeof ISSUE;

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

  const openPanel = (issueKey = ISSUE.key, account = 'user-admin') =>
    openPanelAs(app, browser, issueKey, account, { timeout: TIMEOUT });
  const submitElsewhere = (payload: unknown, issue: Issue = ISSUE) =>
    submitAsAnotherUser(app, issue, payload);

  async function seedItems(issue: Issue, items: Array<{ itemId: string; text: string }>): Promise<void> {
    const ids: string[] = [];
    for (const [rank, item] of items.entries()) {
      const sent = (await app.rt.invokeResolver({
        functionKey: 'submitCommand',
        payload: { type: 'checklist.add', payload: { ...item, rank } },
        accountId: 'user-app-dev',
        extension: { type: 'jira:issuePanel', issue },
      })) as ResolverResult<ResponseOf<'submitCommand'>>;
      if (!sent.ok) throw new Error(sent.error.message);
      ids.push(sent.value.commandId);
    }
    const deadline = Date.now() + TIMEOUT;
    while (!ids.every((id) => receipt(id)?.status === 'applied')) {
      if (Date.now() > deadline) throw new Error('the seeded items never applied');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function receipt(commandId: string): IssueReceipt | undefined {
    return app.rt.storage.getEntity('command-receipt', commandId) as IssueReceipt | undefined;
  }

  /** The receipts of the edits people made in panels on this issue. */
  function panelReceipts(issue: Issue): IssueReceipt[] {
    return app.rt.storage
      .listEntity('command-receipt')
      .map((r) => r.value as IssueReceipt)
      .filter((r) => r.commandId.startsWith(`ui:${issue.id}:`));
  }

  function stored(issue: Issue): IssueRecord | undefined {
    return app.rt.storage.getEntity('issue-state', issue.id) as IssueRecord | undefined;
  }

  async function until(what: string, done: () => boolean): Promise<void> {
    const deadline = Date.now() + TIMEOUT;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
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
    // While it settles the panel shows the item, marked pending, and takes the next edit.
    expect(await panel.getByTestId('add-input').isEnabled()).toBe(true);
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

  it("applies an edit made before someone else's change of another item and Jira activity", async () => {
    const issue = { id: '10002', key: 'APP-2', type: 'Story' };
    await submitElsewhere(
      { type: 'checklist.add', payload: { itemId: 'existing', text: 'Existing item' } },
      issue,
    );
    const { page, panel } = await openPanel(issue.key);
    await panel.locator('[data-testid="view-version"][data-version="1"]').waitFor({ timeout: TIMEOUT });

    // Someone else changes the issue after the panel loaded it: another item, and a comment.
    await submitElsewhere(
      { type: 'checklist.add', payload: { itemId: 'elsewhere', text: 'Added elsewhere', rank: 5 } },
      issue,
    );
    await app.rt.fireProductEvent('avi:jira:commented:issue', {
      issue: { key: issue.key },
      atlassianId: 'user-viewer',
      comment: { id: '40001' },
    });
    await until('the comment to apply', () => (stored(issue)?.version ?? 0) >= 3);
    // The panel is live (Forge Realtime), so its view may already show them; an edit made from a
    // view older than other changes is covered in test/writer/reducer.test.ts and test/producers/resolvers.test.ts.

    // Neither can conflict with checking this item: it applies, and the view catches up.
    const existing = panel.getByTestId('checklist-item').filter({ hasText: 'Existing item' });
    await existing.getByTestId('item-check').click();
    await status(panel, 'applied', 'Check “Existing item”').waitFor({ timeout: TIMEOUT });
    await panel.locator('[data-testid="view-version"][data-version="4"]').waitFor({ timeout: TIMEOUT });
    await panel
      .getByTestId('checklist-item')
      .filter({ hasText: 'Added elsewhere' })
      .waitFor({ timeout: TIMEOUT });
    expect(await existing.getByTestId('item-check').isChecked()).toBe(true);
    expect(await panel.locator('[data-state="rejected"]').count()).toBe(0);
    await page.close();
  });

  it('applies two checkbox clicks 300 ms apart, both shown at once and marked pending', async () => {
    const issue = { id: '10004', key: 'APP-4', type: 'Task' };
    await seedItems(issue, [
      { itemId: 'one', text: 'One' },
      { itemId: 'two', text: 'Two' },
    ]);
    const { page, panel } = await openPanel(issue.key);
    await panel.locator('[data-testid="view-version"][data-version="2"]').waitFor({ timeout: TIMEOUT });
    const one = panel.locator('[data-testid="checklist-item"][data-item-id="one"]');
    const two = panel.locator('[data-testid="checklist-item"][data-item-id="two"]');
    await one.getByTestId('item-check').click();
    await page.waitForTimeout(300);
    await two.getByTestId('item-check').click();
    // The second click was taken while the first settles, and the header agrees with the boxes.
    expect(await two.getByTestId('item-check').isChecked()).toBe(true);
    expect(await one.getByTestId('item-check').isChecked()).toBe(true);
    expect(await panel.getByTestId('checklist-progress').textContent()).toBe('2/2 done');
    expect(
      await panel.locator('[data-testid="checklist-item"][data-pending="true"]').count(),
    ).toBeGreaterThan(0);

    await until('both checks to apply', () => {
      const receipts = panelReceipts(issue);
      return receipts.length === 2 && receipts.every((r) => r.status === 'applied');
    });
    await panel.locator('[data-testid="view-version"][data-version="4"]').waitFor({ timeout: TIMEOUT });
    await panel.locator('[data-testid="checklist-item"][data-pending="true"]').first().waitFor({
      state: 'detached',
      timeout: TIMEOUT,
    });
    expect(Object.values(stored(issue)!.state.checklist).map((e) => e.checked?.value)).toEqual([true, true]);
    expect(await panel.locator('[data-testid="edit-status"][data-state="applied"]').count()).toBe(2);
    expect(await panel.getByTestId('checklist-progress').textContent()).toBe('2/2 done');
    await page.close();
  });

  it('applies 20 edits of different items made while Jira events for the issue arrive every second', async () => {
    const issue = { id: '10005', key: 'APP-5', type: 'Task' };
    const items = Array.from({ length: 20 }, (_, i) => ({ itemId: `item-${i}`, text: `Item ${i}` }));
    await seedItems(issue, items);
    const { page, panel } = await openPanel(issue.key);
    await panel.locator('[data-testid="view-version"][data-version="20"]').waitFor({ timeout: TIMEOUT });

    // A comment, then a status change, and so on, each second: each moves the issue's version.
    let events = 0;
    const statuses = ['To Do', 'In Progress'];
    const firing = setInterval(() => {
      events++;
      void app.rt.fireProductEvent(
        events % 2 ? 'avi:jira:commented:issue' : 'avi:jira:updated:issue',
        events % 2
          ? { issue: { key: issue.key }, atlassianId: 'user-viewer', comment: { id: `5${events}` } }
          : {
              issue: { key: issue.key },
              atlassianId: 'user-viewer',
              changelog: {
                id: `6${events}`,
                items: [
                  {
                    field: 'status',
                    fieldId: 'status',
                    fromString: statuses[events % 4 ? 0 : 1],
                    toString: statuses[events % 4 ? 1 : 0],
                  },
                ],
              },
            },
      );
    }, 1000);
    try {
      // Checks and renames alternate, about two a second, as a person working down the list.
      for (const [i, item] of items.entries()) {
        const row = panel.locator(`[data-testid="checklist-item"][data-item-id="${item.itemId}"]`);
        if (i % 2 === 0) {
          await row.getByTestId('item-check').click();
        } else {
          await row.getByTestId('item-rename').click();
          await panel.getByTestId('rename-input').fill(`Item ${i}, renamed`);
          await panel.getByTestId('rename-save').click();
        }
        await page.waitForTimeout(200);
      }
      await until('the 20 edits to settle', () => {
        const receipts = panelReceipts(issue);
        return receipts.length === 20 && receipts.every((r) => r.status !== 'pending');
      });
    } finally {
      clearInterval(firing);
    }
    const receipts = panelReceipts(issue);
    expect(receipts.filter((r) => r.status === 'applied')).toHaveLength(20);
    expect(receipts.filter((r) => r.status === 'rejected')).toHaveLength(0);
    expect(events).toBeGreaterThanOrEqual(5);
    const activity = stored(issue)!.state.activity.counts;
    expect(activity.commented + activity.updated).toBeGreaterThanOrEqual(3);
    await panel
      .getByTestId('checklist-progress')
      .filter({ hasText: '10/20 done' })
      .waitFor({ timeout: TIMEOUT });
    expect(await panel.locator('[data-state="rejected"]').count()).toBe(0);
    expect(await panel.getByTestId('conflict').count()).toBe(0);
    await page.close();
  });

  it('two people rename one item at once: one wins, the other sees both texts and applies theirs in one click', async () => {
    const issue = { id: '10006', key: 'APP-6', type: 'Task' };
    await seedItems(issue, [{ itemId: 'docs', text: 'Write docs' }]);
    const ada = await openPanel(issue.key, 'user-admin');
    const dana = await openPanel(issue.key, 'user-app-dev');
    const texts = { ada: 'Write docs (Ada)', dana: 'Write docs (Dana)' };
    for (const [who, { panel }] of [
      ['ada', ada],
      ['dana', dana],
    ] as const) {
      await panel.locator('[data-testid="view-version"][data-version="1"]').waitFor({ timeout: TIMEOUT });
      await panel.getByTestId('item-rename').click();
      await panel.getByTestId('rename-input').fill(texts[who]);
    }
    await Promise.all([
      ada.panel.getByTestId('rename-save').click(),
      dana.panel.getByTestId('rename-save').click(),
    ]);
    await until('both renames to settle', () => {
      const receipts = panelReceipts(issue);
      return receipts.length === 2 && receipts.every((r) => r.status !== 'pending');
    });
    const receipts = panelReceipts(issue);
    expect(receipts.map((r) => r.status).sort()).toEqual(['applied', 'rejected']);
    const winnerText = stored(issue)!.state.checklist['docs']!.text!.value;
    const [winner, loser] =
      winnerText === texts.ada ? (['ada', 'dana'] as const) : (['dana', 'ada'] as const);
    expect(winnerText).toBe(texts[winner]);
    const accounts = { ada: 'user-admin', dana: 'user-app-dev' };
    const pages = { ada, dana };

    // The loser sees what they tried, what is there now, and who changed it, naming the field.
    const conflict = pages[loser].panel.getByTestId('conflict');
    await conflict.waitFor({ timeout: TIMEOUT });
    expect(await conflict.textContent()).toContain(
      `the text of '${texts[winner]}' was changed by ${accounts[winner]} since you loaded it`,
    );
    expect(await conflict.getByTestId('conflict-mine').textContent()).toBe(`“${texts[loser]}”`);
    expect(await conflict.getByTestId('conflict-theirs').textContent()).toBe(`“${texts[winner]}”`);
    expect(await conflict.textContent()).toContain(`Now, as ${accounts[winner]} left it`);
    expect(await pages[winner].panel.getByTestId('conflict').count()).toBe(0);
    await pages[loser].page.screenshot({ path: '/tmp/issue-panel-conflict.png', fullPage: true });

    // One click applies theirs on top of the text there now.
    await conflict.getByTestId('conflict-apply-mine').click();
    await status(pages[loser].panel, 'applied', 'Rename').waitFor({ timeout: TIMEOUT });
    expect(stored(issue)!.state.checklist['docs']!.text!.value).toBe(texts[loser]);
    await pages[loser].panel
      .getByTestId('item-text')
      .filter({ hasText: texts[loser] })
      .waitFor({ timeout: TIMEOUT });
    expect(await pages[loser].panel.getByTestId('conflict').count()).toBe(0);
    await ada.page.close();
    await dana.page.close();
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
