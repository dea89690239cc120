// Delivery of accepted events to their consumers: the Forge event shape, delays, retries the
// consumer asks for, platform retries after failures, and the retention window.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvocationErrorCode, Queue } from '@forge/events';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { PLATFORM_RETRY_BACKOFF } from '../../local-runtime/events/events-emulator.js';
import {
  EVENTS_APP_DIR,
  deliveries,
  resetDeliveries,
  type Instructions,
} from '../fixtures/events-app/harness.js';

let rt: LocalForgeRuntime | undefined;
const logLines: string[] = [];

async function start(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  rt = await createRuntime({
    appDir: EVENTS_APP_DIR,
    seed: 11,
    log: (line) => logLines.push(line),
    ...options,
  });
  return rt;
}

const DAY_MS = 24 * 60 * 60 * 1000;

beforeEach(() => {
  resetDeliveries();
  logLines.length = 0;
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

function push(
  queue: string,
  body: Instructions,
  extra: { delayInSeconds?: number; concurrency?: { key: string; limit: number } } = {},
) {
  return new Queue({ key: queue }).push({ body: { ...body }, ...extra });
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe('delivery', () => {
  it('hands the consumer a Forge-shaped event and context', async () => {
    const runtime = await start();
    const { jobId } = await push(
      'work',
      { tag: 'shape' },
      { delayInSeconds: 2, concurrency: { key: 'k', limit: 3 } },
    );
    await runtime.runUntilIdle();
    const [d] = deliveries();
    expect(deliveries()).toHaveLength(1);
    expect(d!.event).toEqual({
      body: { tag: 'shape' },
      queueName: 'work',
      jobId,
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      delayInSeconds: 2,
      concurrency: { key: 'k', limit: 3 },
    });
    expect(d!.event).not.toHaveProperty('retryContext');
    // The same site as every other module's context names (one site per runtime).
    expect(d!.context).toEqual({ installContext: runtime.site.installContext });
    expect(runtime.site.installContext).toBe(`ari:cloud:jira::site/${runtime.site.cloudId}`);
    expect(runtime.metered()['events.delivered']).toBe(1);
    expect(runtime.metered()['events.succeeded']).toBe(1);
  });

  it('never runs a delayed event early, also with delivery latency', async () => {
    const runtime = await start({ latency: { delivery: [50, 1500] } });
    const delays = [0, 1.5, 5, 60, 300, 900];
    const pushedAt = runtime.clock.now();
    for (const delayInSeconds of [...delays].reverse())
      await push('work', { tag: `d${delayInSeconds}` }, { delayInSeconds });
    await runtime.runUntilIdle();
    expect(deliveries()).toHaveLength(delays.length);
    for (const delay of delays) {
      const d = deliveries().find((x) => x.tag === `d${delay}`)!;
      expect(d.startedAt - pushedAt).toBeGreaterThanOrEqual(delay * 1000 + 50);
      expect(d.startedAt - pushedAt).toBeLessThanOrEqual(delay * 1000 + 1500);
    }
  });

  it('runs a delayed event exactly when it falls due, not a millisecond before', async () => {
    const runtime = await start();
    const pushedAt = runtime.clock.now();
    await push('work', { tag: 'minute' }, { delayInSeconds: 60 });
    await runtime.advance(59_999);
    expect(deliveries()).toHaveLength(0);
    expect(runtime.events.snapshot()).toMatchObject([
      { state: 'scheduled', dueAt: pushedAt + 60_000, retryCount: 0 },
    ]);
    expect(runtime.events.pending()).toBe(1);
    await runtime.runUntilIdle();
    expect(deliveries().map((d) => d.startedAt - pushedAt)).toEqual([60_000]);
    expect(runtime.events.pending()).toBe(0);
  });
});

describe('retries the consumer asks for', () => {
  it('redelivers after retryAfter with a growing retryCount and round-tripping retryData', async () => {
    const runtime = await start();
    const pushedAt = runtime.clock.now();
    await push('work', {
      tag: 'r',
      retryTimes: 3,
      retryAfter: 10,
      retryReason: InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED,
    });
    await runtime.runUntilIdle();
    const ds = deliveries();
    expect(ds.map((d) => d.retryCount)).toEqual([0, 1, 2, 3]);
    expect(new Set(ds.map((d) => d.eventId)).size).toBe(1);
    expect(gaps(ds.map((d) => d.startedAt))).toEqual([10_000, 10_000, 10_000]);
    expect(ds[0]!.event.retryContext).toBeUndefined();
    for (const [i, d] of ds.slice(1).entries()) {
      expect(d.event.retryContext).toEqual({
        retryCount: i + 1,
        retryReason: 'FUNCTION_UPSTREAM_RATE_LIMITED',
        // What the previous attempt returned, back as it left.
        retryData: { attempt: i + 1, tag: 'r', nested: { list: [i + 1, 'x'] } },
        retentionWindow: {
          startTime: new Date(pushedAt).toISOString(),
          remainingTimeMs: DAY_MS - (i + 1) * 10_000,
        },
      });
    }
    const m = runtime.metered();
    expect([
      m['events.delivered'],
      m['events.retryRequested'],
      m['events.retried'],
      m['events.succeeded'],
    ]).toEqual([4, 3, 3, 1]);
    expect(m['events.failedInvocations']).toBe(0);
  });

  it('uses the default reason and 1 s, and clamps retryAfter to 1..900 s', async () => {
    const runtime = await start();
    await push('work', { tag: 'default', retryTimes: 1 });
    await push('work', { tag: 'zero', retryTimes: 1, retryAfter: 0 });
    await push('work', { tag: 'huge', retryTimes: 1, retryAfter: 5000 });
    await runtime.runUntilIdle();
    const gapOf = (tag: string) =>
      gaps(
        deliveries()
          .filter((d) => d.tag === tag)
          .map((d) => d.startedAt),
      );
    expect(gapOf('default')).toEqual([1000]);
    expect(gapOf('zero')).toEqual([1000]);
    expect(gapOf('huge')).toEqual([900_000]);
    const retry = deliveries().find((d) => d.tag === 'default' && d.retryCount === 1)!;
    expect((retry.event.retryContext as { retryReason: string }).retryReason).toBe(
      InvocationErrorCode.FUNCTION_RETRY_REQUEST,
    );
  });
});

describe('platform retries after failures', () => {
  it('retries a thrown error with exponential backoff and reason FUNCTION_PLATFORM_UNKNOWN_ERROR', async () => {
    const runtime = await start();
    await push('work', { tag: 't', throwTimes: 3 });
    await runtime.runUntilIdle();
    const ds = deliveries();
    expect(ds.map((d) => d.retryCount)).toEqual([0, 1, 2, 3]);
    expect(ds.slice(1).map((d) => (d.event.retryContext as { retryReason: string }).retryReason)).toEqual([
      'FUNCTION_PLATFORM_UNKNOWN_ERROR',
      'FUNCTION_PLATFORM_UNKNOWN_ERROR',
      'FUNCTION_PLATFORM_UNKNOWN_ERROR',
    ]);
    const { initialMs, factor, jitter } = PLATFORM_RETRY_BACKOFF;
    for (const [n, gap] of gaps(ds.map((d) => d.startedAt)).entries()) {
      const base = initialMs * factor ** n;
      expect(gap).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
      expect(gap).toBeLessThanOrEqual(Math.ceil(base * (1 + jitter)));
    }
    expect(runtime.metered()['events.failedInvocations']).toBe(3);
    expect(runtime.metered()['events.retried']).toBe(3);
    expect(runtime.metered()['events.succeeded']).toBe(1);
    expect(logLines.some((l) => l.includes('failing on purpose'))).toBe(true);
  });

  it('retries a timed-out consumer with reason FUNCTION_TIME_OUT', async () => {
    const runtime = await start();
    // `work` has the default 55 s timeout.
    await push('work', { tag: 'slow', sleepMs: 60_000, sleepTimes: 1 });
    await runtime.runUntilIdle();
    const ds = deliveries();
    expect(ds.map((d) => d.retryCount)).toEqual([0, 1]);
    expect((ds[1]!.event.retryContext as { retryReason: string }).retryReason).toBe('FUNCTION_TIME_OUT');
    expect(ds[1]!.startedAt - ds[0]!.startedAt).toBeGreaterThanOrEqual(55_000 + 3_000);
    expect(runtime.metered()['functions.timedOut']).toBe(1);
    expect(runtime.metered()['events.succeeded']).toBe(1);
  });
});

describe('retention window', () => {
  it('drops an event still asking for retries after 24 h, logs it and keeps it for inspection', async () => {
    const runtime = await start();
    const pushedAt = runtime.clock.now();
    const { jobId } = await push('work', { tag: 'forever', alwaysRetry: true, retryAfter: 900 });
    await runtime.runUntilIdle();
    const ds = deliveries();
    // Attempts every 15 min from 0 to exactly 24 h; the next would fall outside the window.
    expect(ds).toHaveLength(97);
    expect(ds.at(-1)!.startedAt - pushedAt).toBe(DAY_MS);
    expect(ds.at(-1)!.retryCount).toBe(96);
    expect((ds.at(-1)!.event.retryContext as { retentionWindow: unknown }).retentionWindow).toEqual({
      startTime: new Date(pushedAt).toISOString(),
      remainingTimeMs: 0,
    });
    expect(runtime.metered()['events.dropped']).toBe(1);
    expect(runtime.events.dropped()).toEqual([
      expect.objectContaining({
        eventId: ds[0]!.eventId,
        jobId,
        queueName: 'work',
        retryCount: 96,
        publishedAt: pushedAt,
        droppedAt: pushedAt + DAY_MS,
      }),
    ]);
    expect(logLines.some((l) => l.includes('dropped') && l.includes(ds[0]!.eventId))).toBe(true);
    expect(await new Queue({ key: 'work' }).getJob(jobId).getStats()).toEqual({
      success: 0,
      inProgress: 0,
      failed: 1,
    });
    expect(runtime.events.pending() + runtime.events.inFlight()).toBe(0);
  });

  it('drops a consumer that keeps throwing once the backoff reaches past a shorter window', async () => {
    const runtime = await start({ events: { retentionMs: 60_000 } });
    const pushedAt = runtime.clock.now();
    await push('work', { tag: 'broken', alwaysThrow: true });
    await runtime.runUntilIdle();
    const ds = deliveries();
    expect(ds.length).toBeGreaterThanOrEqual(3);
    expect(ds.length).toBeLessThanOrEqual(5);
    for (const d of ds) expect(d.startedAt - pushedAt).toBeLessThanOrEqual(60_000);
    expect(runtime.events.dropped()).toHaveLength(1);
    expect(runtime.metered()['events.failedInvocations']).toBe(ds.length);
  });
});
