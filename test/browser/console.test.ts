// The console in headless Chromium: a command dead-letters through the real writer during a
// storage outage, and once storage is healthy again, Replay in the console gets it applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, type BrowserSession, type RunningApp } from './browser-harness.js';
import { issueWriter, type IssueReceipt } from '../../src/shared/issue-data/issue-writer.js';

const HOUR = 60 * 60 * 1000;
const ISSUE = '10001';

let app: RunningApp;
let browser: BrowserSession;

beforeAll(async () => {
  // A virtual clock and a 3 h retention window: hours of failed retries pass in milliseconds, and
  // the consumer dead-letters before the window would drop the event.
  app = await startApp({ clock: 'virtual', events: { retentionMs: 3 * HOUR } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const receipt = (commandId: string) =>
  app.rt.storage.getEntity('command-receipt', commandId) as IssueReceipt | undefined;

describe('console', () => {
  it('replays a dead letter: the command becomes applied, in the console and in storage', async () => {
    const { rt } = app;
    const add = issueWriter.command(
      ISSUE,
      { type: 'checklist.add', payload: { itemId: 'docs', text: 'Write the docs' } },
      { source: 'ui' },
    );
    await rt.runAsApp(() => issueWriter.enqueue([add]));
    await rt.runUntilIdle();
    expect(receipt(add.commandId)?.status).toBe('applied');

    rt.setFaults({ kvs: { serverError: 0.95 } });
    const check = issueWriter.command(
      ISSUE,
      { type: 'checklist.check', payload: { itemId: 'docs', checked: true } },
      { source: 'ui' },
    );
    await rt.runAsApp(() => issueWriter.enqueue([check]));
    await rt.runUntilIdle();
    expect(receipt(check.commandId)?.status).toBe('dead-lettered');
    rt.setFaults({});

    const page = browser.page;
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${app.url}/console`);
    await expect(page.getByRole('note').textContent()).resolves.toContain('Local only');
    const letter = page.locator(`[data-dead-letter="${check.commandId}"]`);
    await letter.waitFor();
    await expect(letter.textContent()).resolves.toContain('checklist.check');
    const issue = page.locator(`[data-issue="${ISSUE}"]`);
    await issue.locator(`[data-receipt="${check.commandId}"][data-status="dead-lettered"]`).waitFor();

    await letter.getByRole('button', { name: 'Replay' }).click();

    await issue.locator(`[data-receipt="${check.commandId}"][data-status="applied"]`).waitFor();
    await expect(issue.locator('[data-version]').getAttribute('data-version')).resolves.toBe('2');
    await expect(issue.textContent()).resolves.toContain('1/1 done');
    await page.locator('#dead-letters').getByText('No open dead letters.').waitFor();
    await expect(page.locator('#notice').textContent()).resolves.toContain('Replayed 1 dead letter');
    expect(receipt(check.commandId)).toMatchObject({ status: 'applied', version: 2 });
    expect(rt.storage.getEntity('dead-letter', `dl:${check.commandId}`)).toMatchObject({
      status: 'replayed',
    });
    expect(errors).toEqual([]);
    await page.screenshot({ path: '/tmp/console.png', fullPage: true });
  });
});
