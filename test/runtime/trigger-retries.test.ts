// Product-event triggers retried as Forge documents (events-reference/product_events, "Retry
// Atlassian app events"): a returned InvocationError is redelivered after retryAfter (1..900 s)
// with `retryContext`, at most 4 times; time-outs and crashes are retried by the platform without
// raising retryCount; a thrown error is not retried.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import type { Plan, Received, Step } from './fixtures/retry-app/src/handlers.js';

const APP_DIR = path.resolve(import.meta.dirname, 'fixtures/retry-app');
const EVENT = 'avi:jira:updated:issue';

let rt: LocalForgeRuntime | undefined;
const logLines: string[] = [];

async function start(): Promise<LocalForgeRuntime> {
  rt = await createRuntime({ appDir: APP_DIR, seed: 3, log: (line) => logLines.push(line) });
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

function fire(runtime: LocalForgeRuntime, tag: string, steps: Step[]) {
  const plan: Plan = { tag, steps };
  return runtime.fireProductEvent(EVENT, { plan });
}

function received(): Received[] {
  return (globalThis.__retryAppRecord ?? []).filter((r) => r.handler === 'onIssue');
}

const contextOf = (r: Received) => r.event.retryContext;
const retry = (options: { retryAfter?: number; retryReason?: string; retryData?: unknown }): Step => ({
  retry: options,
});

describe('a returned InvocationError', () => {
  it('redelivers the same payload after retryAfter, with retryContext', async () => {
    const runtime = await start();
    const firedAt = runtime.clock.now();
    const report = await fire(runtime, 'once', [
      retry({ retryAfter: 60, retryReason: 'FUNCTION_UPSTREAM_RATE_LIMITED', retryData: { cursor: 7 } }),
      'return',
    ]);
    // The report is the first delivery's; the retry runs later, on the runtime's clock.
    expect(report.deliveries).toEqual([
      {
        triggerKey: 'issue-trigger',
        functionKey: 'on-issue',
        outcome: { status: 'returned', value: expect.objectContaining({ _retry: true }) },
      },
    ]);
    expect(received()).toHaveLength(1);
    await runtime.runUntilIdle();
    const [first, second] = received();
    expect(received()).toHaveLength(2);
    expect(first!.event).not.toHaveProperty('retryContext');
    expect(second!.at - firedAt).toBe(60_000);
    const { retryContext, ...payload } = second!.event;
    expect(payload).toEqual(first!.event);
    expect(retryContext).toEqual({
      retryCount: 1,
      retryReason: 'FUNCTION_UPSTREAM_RATE_LIMITED',
      retryData: { cursor: 7 },
    });
    expect(runtime.modules.triggerAttempts().map((a) => [a.attempt, a.next])).toEqual([
      [0, 'retry'],
      [1, 'done'],
    ]);
    expect(runtime.metered()['triggers.retryRequested']).toBe(1);
    expect(runtime.metered()['triggers.retried']).toBe(1);
    expect(runtime.metered()['triggers.gaveUp']).toBe(0);
  });

  it('is honoured at most 4 times; the 5th request is given up, counted and logged', async () => {
    const runtime = await start();
    await fire(runtime, 'always', [retry({ retryAfter: 5, retryData: { n: 1 } })]);
    await runtime.runUntilIdle();
    expect(received().map((r) => contextOf(r) as { retryCount: number } | undefined)).toEqual([
      undefined,
      expect.objectContaining({ retryCount: 1 }),
      expect.objectContaining({ retryCount: 2 }),
      expect.objectContaining({ retryCount: 3 }),
      expect.objectContaining({ retryCount: 4 }),
    ]);
    expect(runtime.modules.triggerAttempts().at(-1)!.next).toBe('gave-up');
    expect(runtime.metered()['triggers.retryRequested']).toBe(5);
    expect(runtime.metered()['triggers.retried']).toBe(4);
    expect(runtime.metered()['triggers.gaveUp']).toBe(1);
    expect(logLines.some((l) => l.includes('at most 4 times: given up'))).toBe(true);
    expect(runtime.modules.pendingTriggerRetries()).toBe(0);
  });

  it.each([
    [5_000, 900_000],
    [0, 1_000],
    [-3, 1_000],
    [undefined, 1_000],
  ])('with retryAfter %j waits %i ms', async (retryAfter, waitMs) => {
    const runtime = await start();
    const firedAt = runtime.clock.now();
    await fire(runtime, 'clamped', [retry(retryAfter === undefined ? {} : { retryAfter }), 'return']);
    await runtime.runUntilIdle();
    expect(received()[1]!.at - firedAt).toBe(waitMs);
    expect((contextOf(received()[1]!) as { retryReason: string }).retryReason).toBe('FUNCTION_RETRY_REQUEST');
  });

  it.each([
    ['over 4 KB', { pad: 'x'.repeat(4096) }],
    ['not an object', 'page-3'],
  ])('with retryData %s: retried without it, counted and logged', async (_name, retryData) => {
    const runtime = await start();
    await fire(runtime, 'data', [retry({ retryAfter: 1, retryData }), 'return']);
    await runtime.runUntilIdle();
    expect(received()).toHaveLength(2);
    expect(contextOf(received()[1]!)).toMatchObject({ retryCount: 1 });
    expect((contextOf(received()[1]!) as { retryData?: unknown }).retryData).toBeUndefined();
    expect(runtime.metered()['triggers.retryDataRefused']).toBe(1);
    expect(logLines.some((l) => l.includes('the retry goes without it'))).toBe(true);
  });
});

describe('other outcomes', () => {
  it('a thrown error is not retried', async () => {
    const runtime = await start();
    const report = await fire(runtime, 'throws', ['throw']);
    expect(report.deliveries[0]!.outcome.status).toBe('threw');
    await runtime.runUntilIdle();
    expect(received()).toHaveLength(1);
    expect(runtime.modules.triggerAttempts().map((a) => a.next)).toEqual(['not-retried']);
    expect(runtime.metered()['triggers.retried'] + runtime.metered()['triggers.platformRetried']).toBe(0);
  });

  it('a time-out is retried by the platform with FUNCTION_TIME_OUT, retryCount unchanged', async () => {
    const runtime = await start();
    // `on-issue` times out after 10 s.
    const report = await fire(runtime, 'slow', [{ sleepMs: 20_000 }, 'return']);
    expect(report.deliveries[0]!.outcome.status).toBe('timedOut');
    await runtime.runUntilIdle();
    expect(received().map((r) => contextOf(r))).toEqual([
      undefined,
      { retryCount: 0, retryReason: 'FUNCTION_TIME_OUT', retryData: undefined },
    ]);
    expect(runtime.metered()['triggers.platformRetried']).toBe(1);
  });

  it('a crash is retried by the platform with FUNCTION_OUT_OF_MEMORY, keeping the retryData it had', async () => {
    const runtime = await start();
    await fire(runtime, 'crashy', [retry({ retryAfter: 2, retryData: { step: 1 } }), 'return']);
    // The retry asked for dies after its storage call.
    runtime.crashNextInvocation('on-issue', 1);
    await runtime.runUntilIdle();
    expect(received().map((r) => contextOf(r))).toEqual([
      undefined,
      { retryCount: 1, retryReason: 'FUNCTION_RETRY_REQUEST', retryData: { step: 1 } },
      { retryCount: 1, retryReason: 'FUNCTION_OUT_OF_MEMORY', retryData: { step: 1 } },
    ]);
    expect(runtime.modules.triggerAttempts().map((a) => a.next)).toEqual(['retry', 'platform-retry', 'done']);
  });

  it('a trigger that keeps timing out is retried 4 times by the platform, then given up', async () => {
    const runtime = await start();
    await fire(runtime, 'hung', [{ sleepMs: 60_000 }]);
    await runtime.runUntilIdle();
    expect(received()).toHaveLength(5);
    expect(runtime.metered()['triggers.platformRetried']).toBe(4);
    expect(runtime.metered()['triggers.gaveUp']).toBe(1);
  });

  it('closing the runtime cancels retries not yet made', async () => {
    const runtime = await start();
    await fire(runtime, 'later', [retry({ retryAfter: 600 }), 'return']);
    expect(runtime.modules.pendingTriggerRetries()).toBe(1);
    await runtime.close();
    expect(received()).toHaveLength(1);
  });
});
