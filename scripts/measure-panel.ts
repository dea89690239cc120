// `npm run measure:panel`: what one open issue panel costs per minute, idle and editing, live
// (Forge Realtime) against polling only (Realtime down in the runtime, so the panel's fallback
// polls). Each case runs the built panel in headless Chromium on its own local runtime (real clock,
// the bundled handlers), and counts the panel's resolver calls (its requests) and the runtime's KVS
// read requests over the window. Editing: one checkbox click every 5 s. `--seconds N` shortens the
// window (default 60); `--json` prints JSON instead of a table.
import type { Page } from 'playwright-core';
import { launchBrowser, startApp } from '../test/browser/browser-harness.js';

interface Case {
  transport: 'realtime' | 'polling only';
  activity: 'idle' | 'editing';
}

interface Measured extends Case {
  seconds: number;
  resolverCalls: number;
  byResolver: Record<string, number>;
  kvsReads: number;
  realtimeDeliveries: number;
}

const CASES: Case[] = [
  { transport: 'realtime', activity: 'idle' },
  { transport: 'polling only', activity: 'idle' },
  { transport: 'realtime', activity: 'editing' },
  { transport: 'polling only', activity: 'editing' },
];
const EDIT_EVERY_MS = 5000;
const ISSUE = { id: '10001', key: 'APP-1' };

async function measure(c: Case, seconds: number): Promise<Measured> {
  const app = await startApp({ realtime: { down: c.transport === 'polling only' } });
  const browser = await launchBrowser();
  try {
    await app.rt.invokeResolver({
      functionKey: 'submitCommand',
      payload: { type: 'checklist.add', payload: { itemId: 'item', text: 'Toggle me' } },
      accountId: 'user-admin',
      extension: { type: 'jira:issuePanel', issue: ISSUE },
    });
    await app.rt.runUntilIdle();
    const page: Page = browser.page;
    const calls: string[] = [];
    page.on('request', (request) => {
      const match = /\/api\/invoke\/[^/]+\/([^/?]+)/.exec(request.url());
      if (match?.[1]) calls.push(match[1]);
    });
    await page.goto(`${app.url}/ui/checklist-panel?issue=${ISSUE.key}&account=user-admin`);
    const panel = page.frameLocator('[data-testid="custom-ui-frame"]');
    const mode = c.transport === 'realtime' ? 'live' : 'polling';
    await panel.locator(`[data-testid="live-mode"][data-mode="${mode}"]`).waitFor({ timeout: 20_000 });
    // The window starts once the panel is open and settled: opening it is not counted.
    await page.waitForTimeout(500);
    calls.length = 0;
    const before = app.rt.metered();
    const end = Date.now() + seconds * 1000;
    if (c.activity === 'editing') {
      const box = panel.locator(
        '[data-testid="checklist-item"][data-item-id="item"] [data-testid="item-check"]',
      );
      while (Date.now() + EDIT_EVERY_MS <= end) {
        await box.click();
        await page.waitForTimeout(EDIT_EVERY_MS);
      }
    }
    await page.waitForTimeout(Math.max(0, end - Date.now()));
    const after = app.rt.metered();
    const byResolver: Record<string, number> = {};
    for (const name of calls) byResolver[name] = (byResolver[name] ?? 0) + 1;
    return {
      ...c,
      seconds,
      resolverCalls: calls.length,
      byResolver,
      kvsReads: after['kvs.readRequests'] - before['kvs.readRequests'],
      realtimeDeliveries: after['realtime.deliveries'] - before['realtime.deliveries'],
    };
  } finally {
    await browser.close();
    await app.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--seconds');
  const seconds = at >= 0 ? Number(args[at + 1]) : 60;
  if (!(seconds >= 10)) throw new Error('--seconds takes a number of at least 10');
  const results: Measured[] = [];
  // One after another: each case has the machine, the clock and its runtime to itself.
  for (const c of CASES) results.push(await measure(c, seconds));
  if (args.includes('--json')) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const perMinute = (n: number) => ((n * 60) / seconds).toFixed(1);
  console.log(`One open issue panel, per minute (window ${seconds} s; editing: a click every 5 s)\n`);
  console.log('| Panel | Activity | Resolver calls | KVS reads | Resolver calls by name |');
  console.log('| ----- | -------- | -------------- | --------- | ---------------------- |');
  for (const r of results) {
    const names = Object.entries(r.byResolver)
      .map(([name, n]) => `${name} ${perMinute(n)}`)
      .join(', ');
    console.log(
      `| ${r.transport} | ${r.activity} | ${perMinute(r.resolverCalls)} | ${perMinute(r.kvsReads)} | ${names || 'none'} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
