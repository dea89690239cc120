// The async-event rules Forge documents (runtime-reference/async-events-api): retryData of at most
// 4 KB; platform-level errors retried without raising retryCount, stretching the retention window
// by up to 72 h (96 h in all), and past it no longer retried but not dropped; app-level errors
// raising retryCount and never stretching the window.
import path from 'node:path';
import { Queue } from '@forge/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { MAX_RETRY_DATA_BYTES } from '../../local-runtime/events/events-emulator.js';
import type { Plan, Received, Step } from './fixtures/retry-app/src/handlers.js';

const APP_DIR = path.resolve(import.meta.dirname, 'fixtures/retry-app');
const HOUR_MS = 60 * 60 * 1000;

let rt: LocalForgeRuntime | undefined;
const logLines: string[] = [];

async function start(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  rt = await createRuntime({ appDir: APP_DIR, seed: 5, log: (line) => logLines.push(line), ...options });
  return rt;
}

beforeEach(() => {
  globalThis.__retryAppRecord = [];
  logLines.length = 0;
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

function push(tag: string, steps: Step[]) {
  const body: Plan = { tag, steps };
  return new Queue({ key: 'work' }).push({ body: { ...body } });
}

function received(tag?: string): Received[] {
  return (globalThis.__retryAppRecord ?? []).filter(
    (r) => r.handler === 'work' && (tag === undefined || r.tag === tag),
  );
}

interface Context {
  retryCount: number;
  retryReason: string;
  retryData?: unknown;
  retentionWindow: { startTime: string; remainingTimeMs: number };
}
const contextOf = (r: Received) => r.event.retryContext as Context | undefined;

/** A JSON object whose text is exactly `bytes` long. */
function dataOfSize(bytes: number): Record<string, string> {
  const empty = JSON.stringify({ pad: '' }).length;
  return { pad: 'x'.repeat(bytes - empty) };
}

describe('retryData', () => {
  it('up to 4 KB, an object comes back on the retry as it was', async () => {
    const runtime = await start();
    const data = dataOfSize(MAX_RETRY_DATA_BYTES);
    expect(JSON.stringify(data)).toHaveLength(4096);
    await push('fits', [{ retry: { retryAfter: 10, retryData: data } }, 'return']);
    await runtime.runUntilIdle();
    expect(received().map((r) => contextOf(r)?.retryData)).toEqual([undefined, data]);
    expect(runtime.metered()['events.retryDataRefused']).toBe(0);
  });

  it.each([
    ['over 4 KB', dataOfSize(MAX_RETRY_DATA_BYTES + 1), /4097 bytes, over Forge's 4096/],
    ['a string', 'resume-at-7', /not an object/],
    ['a number', 7, /not an object/],
    ['an array', [1, 2, 3], /not an object/],
  ])(
    '%s: the retry is made as asked, without its retryData, counted and logged',
    async (_name, retryData, log) => {
      const runtime = await start();
      await push('refused', [
        { retry: { retryAfter: 30, retryReason: 'FUNCTION_UPSTREAM_RATE_LIMITED', retryData } },
        'return',
      ]);
      await runtime.runUntilIdle();
      const [first, second] = received();
      expect(received()).toHaveLength(2);
      expect(second!.at - first!.at).toBe(30_000);
      expect(contextOf(second!)).toMatchObject({
        retryCount: 1,
        retryReason: 'FUNCTION_UPSTREAM_RATE_LIMITED',
      });
      expect(contextOf(second!)?.retryData).toBeUndefined();
      expect(runtime.metered()['events.retryDataRefused']).toBe(1);
      expect(runtime.metered()['events.succeeded']).toBe(1);
      expect(logLines.some((l) => log.test(l))).toBe(true);
    },
  );
});

describe('platform-level errors', () => {
  it('are retried without raising retryCount, with a retryContext, and the event still runs to the end', async () => {
    const runtime = await start({ faults: { delivery: { platformError: 0.5 } } });
    for (let i = 0; i < 20; i++) await push(`e${i}`, ['return']);
    await runtime.runUntilIdle();
    const counters = runtime.metered();
    expect(counters['events.platformErrors']).toBeGreaterThan(5);
    expect(counters['events.succeeded']).toBe(20);
    expect(counters['events.dropped'] + counters['events.stranded']).toBe(0);
    const retried = received().filter((r) => contextOf(r) !== undefined);
    expect(retried.length).toBeGreaterThan(0);
    for (const r of retried)
      expect(contextOf(r)).toMatchObject({ retryCount: 0, retryReason: 'FUNCTION_PLATFORM_UNKNOWN_ERROR' });
    // Some failed after their consumer ran: the consumer saw that event again (at least once).
    const runs = new Map<string, number>();
    for (const r of received()) runs.set(r.tag, (runs.get(r.tag) ?? 0) + 1);
    expect([...runs.values()].some((n) => n > 1)).toBe(true);
    // Some failed before: retried events the consumer saw only once.
    expect(retried.some((r) => runs.get(r.tag) === 1)).toBe(true);
  });

  it('stretch the retention window by up to 72 h; past 96 h the event is no longer retried, but not dropped', async () => {
    const runtime = await start({ faults: { delivery: { platformError: 1 } } });
    const pushedAt = runtime.clock.now();
    const { jobId } = await push('stuck', ['return']);
    await runtime.runUntilIdle();
    const counters = runtime.metered();
    expect(counters['events.stranded']).toBe(1);
    expect(counters['events.dropped']).toBe(0);
    expect(counters['events.succeeded']).toBe(0);
    const [stranded] = runtime.events.stranded();
    expect(stranded).toMatchObject({ jobId, queueName: 'work', retryCount: 0 });
    // Retried well past 24 h, never past 96 h.
    expect(stranded!.droppedAt - pushedAt).toBeGreaterThan(95 * HOUR_MS);
    expect(stranded!.droppedAt - pushedAt).toBeLessThanOrEqual(96 * HOUR_MS);
    const seen = received('stuck');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)!.at - pushedAt).toBeGreaterThan(24 * HOUR_MS);
    for (const r of seen) expect(contextOf(r)?.retryCount ?? 0).toBe(0);
    // remainingTimeMs counts the extension: past 24 h, time remains.
    const late = seen.find((r) => r.at - pushedAt > 30 * HOUR_MS)!;
    expect(contextOf(late)!.retentionWindow.remainingTimeMs).toBeGreaterThan(0);
    expect(logLines.some((l) => l.includes('no longer retried'))).toBe(true);
    // "Not dropped": its job does not count it as failed.
    expect(await new Queue({ key: 'work' }).getJob(jobId).getStats()).toEqual({
      success: 0,
      inProgress: 1,
      failed: 0,
    });
  });

  it('honour a smaller configured extension', async () => {
    const runtime = await start({
      faults: { delivery: { platformError: 1 } },
      events: { retentionMs: HOUR_MS, maxRetentionExtensionMs: HOUR_MS },
    });
    const pushedAt = runtime.clock.now();
    await push('short', ['return']);
    await runtime.runUntilIdle();
    const [stranded] = runtime.events.stranded();
    expect(stranded!.droppedAt - pushedAt).toBeGreaterThan(HOUR_MS);
    expect(stranded!.droppedAt - pushedAt).toBeLessThanOrEqual(2 * HOUR_MS);
  });
});

describe('app-level errors', () => {
  it('raise retryCount on every retry, never stretch the window, and are dropped when it ends', async () => {
    const runtime = await start({ events: { retentionMs: HOUR_MS } });
    const pushedAt = runtime.clock.now();
    await push('broken', ['throw']);
    await runtime.runUntilIdle();
    const seen = received('broken');
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.map((r) => contextOf(r)?.retryCount ?? 0)).toEqual(seen.map((_, i) => i));
    for (const r of seen.slice(1)) {
      // The window ends an hour after the push, whatever happened.
      expect(contextOf(r)!.retentionWindow.remainingTimeMs).toBe(pushedAt + HOUR_MS - r.at);
    }
    expect(runtime.metered()['events.dropped']).toBe(1);
    expect(runtime.metered()['events.stranded']).toBe(0);
  });

  it('after platform errors stretched the window, still raise retryCount and end in a drop', async () => {
    const runtime = await start({ events: { retentionMs: HOUR_MS } });
    // Platform trouble first: every attempt fails in the platform for a while.
    runtime.setFaults({ delivery: { platformError: 1 } });
    const pushedAt = runtime.clock.now();
    await push('both', ['throw']);
    await runtime.advance(3 * HOUR_MS);
    runtime.setFaults({});
    await runtime.runUntilIdle();
    const seen = received('both');
    const counts = seen.map((r) => contextOf(r)?.retryCount ?? 0);
    expect(counts.at(-1)).toBeGreaterThan(0);
    // Past the 1 h window, thanks to the extension; dropped (app-level), not stranded.
    expect(seen.at(-1)!.at - pushedAt).toBeGreaterThan(3 * HOUR_MS);
    expect(runtime.metered()['events.dropped']).toBe(1);
    expect(runtime.metered()['events.stranded']).toBe(0);
  });
});
