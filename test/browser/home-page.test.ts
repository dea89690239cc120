// Where a new user starts: GET / in headless Chromium links the issue panel per fixture issue and
// user, and the console; a Jira trigger that threw shows in the console's usage as a thrown function.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, type BrowserSession, type RunningApp } from './browser-harness.js';

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

describe('the home page', () => {
  it('opens the issue panel as a chosen user, and the console', async () => {
    const { page } = browser;
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    const home = await page.goto(`${app.url}/`);
    expect(home?.headers()['content-type']).toMatch(/^text\/html/);
    await page.getByTitle('APP-2 as Victor Viewer').click();
    await page.waitForURL(/\/ui\/checklist-panel\?issue=APP-2&account=user-viewer$/);
    await expect(page.getByTestId('host-issue-key').textContent()).resolves.toBe('APP-2');

    await page.goBack();
    await page.getByRole('link', { name: 'Console' }).click();
    await page.waitForURL(/\/console$/);
    await page.locator('#meta', { hasText: app.rt.manifest.appId }).waitFor();
    expect(errors).toEqual([]);
  });
});

describe("the console's usage", () => {
  it('counts a function that threw', async () => {
    const { rt } = app;
    // Every storage request fails, so the daily report's start throws (its first read fails).
    rt.setFaults({ kvs: { serverError: 1 } });
    const run = await rt.runScheduledTrigger('daily-report');
    rt.setFaults({});
    expect(run.outcome.status).toBe('threw');

    const { page } = browser;
    await page.goto(`${app.url}/console`);
    const threw = page.locator('[data-counter="functions.threw"]');
    await threw.waitFor();
    await expect(threw.locator('td.num').textContent()).resolves.toBe('1');
    await expect(threw.getAttribute('class')).resolves.not.toContain('zero');
  });
});
