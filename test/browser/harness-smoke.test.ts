// The browser harness itself: Chromium starts with a fresh profile and reaches the app's server.
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

describe('browser harness', () => {
  it('serves the app with the console plugin to headless Chromium', async () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const errors: string[] = [];
    browser.page.on('pageerror', (error) => errors.push(error.message));
    browser.page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const response = await browser.page.goto(`${app.url}/console`);
    expect(response?.status()).toBe(200);
    await expect(browser.page.title()).resolves.toContain('local console');
    // The page's script ran (under its content security policy) and reached the runtime.
    await browser.page.locator('#meta', { hasText: app.rt.manifest.appId }).waitFor();
    expect(errors).toEqual([]);
  });
});
