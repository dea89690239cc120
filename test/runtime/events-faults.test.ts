// At-least-once delivery: duplicates and reordering when configured, neither otherwise; and the
// same seed replays the same run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from '@forge/events';
import {
  createRuntime,
  type LocalForgeRuntime,
  type RuntimeOptions,
  type TraceEntry,
} from '../../local-runtime/index.js';
import { EVENTS_APP_DIR, deliveries, resetDeliveries } from '../fixtures/events-app/harness.js';

let rt: LocalForgeRuntime | undefined;

async function start(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  rt = await createRuntime({ appDir: EVENTS_APP_DIR, seed: 5, ...options });
  return rt;
}

beforeEach(() => resetDeliveries());
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

const tags = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ body: { tag: `${prefix}${i}` } }));
const published = (n: number) => [...tags(20, 'a'), ...tags(20, 'b')].slice(0, n).map((e) => e.body.tag);

async function pushForty(): Promise<void> {
  const work = new Queue({ key: 'work' });
  await work.push(tags(20, 'a'));
  await work.push(tags(20, 'b'));
}

describe('at-least-once delivery', () => {
  it('delivers events with the same due time in publish order, each once, without faults', async () => {
    const runtime = await start();
    await pushForty();
    await runtime.runUntilIdle();
    expect(deliveries().map((d) => d.tag)).toEqual(published(40));
    expect(new Set(deliveries().map((d) => d.eventId)).size).toBe(40);
    expect(runtime.metered()['events.duplicated']).toBe(0);
  });

  it('delivers every event a second time, with the same eventId, when duplicates are certain', async () => {
    const runtime = await start({ faults: { delivery: { duplicate: 1 } } });
    const { jobId } = await new Queue({ key: 'work' }).push(tags(10, 'd'));
    await runtime.runUntilIdle();
    const byId = new Map<string, number>();
    for (const d of deliveries()) byId.set(d.eventId, (byId.get(d.eventId) ?? 0) + 1);
    expect(byId.size).toBe(10);
    expect([...byId.values()].every((n) => n === 2)).toBe(true);
    expect(runtime.metered()['events.duplicated']).toBe(10);
    // A duplicate is the same event: the job still has ten.
    expect(await new Queue({ key: 'work' }).getJob(jobId).getStats()).toEqual({
      success: 10,
      inProgress: 0,
      failed: 0,
    });
  });

  it('duplicates some events at a partial probability, drawn from the seed', async () => {
    const runtime = await start({ faults: { delivery: { duplicate: 0.3 } } });
    await pushForty();
    await runtime.runUntilIdle();
    const dupes = runtime.metered()['events.duplicated'];
    expect(dupes).toBeGreaterThan(0);
    expect(dupes).toBeLessThan(40);
    expect(deliveries()).toHaveLength(40 + dupes);
    // A duplicate of a retried event carries the same retry context: here none retried.
    expect(deliveries().every((d) => d.retryCount === 0)).toBe(true);
  });

  it('lets later events overtake reordered ones, but never delivers early or twice', async () => {
    const runtime = await start({ faults: { delivery: { reorder: 0.5, reorderMaxDelayMs: 10_000 } } });
    const t0 = runtime.clock.now();
    await pushForty();
    await runtime.runUntilIdle();
    const order = deliveries().map((d) => d.tag);
    expect(order).not.toEqual(published(40));
    expect([...order].sort()).toEqual([...published(40)].sort());
    expect(new Set(deliveries().map((d) => d.eventId)).size).toBe(40);
    for (const d of deliveries()) {
      expect(d.startedAt).toBeGreaterThanOrEqual(t0);
      expect(d.startedAt - t0).toBeLessThanOrEqual(10_000);
    }
    expect(runtime.metered()['events.duplicated']).toBe(0);
  });
});

describe('replay', () => {
  /** A scenario with every source of chance: faults, jitter, latency ranges, retries, hold-backs. */
  async function scenario(seed: number): Promise<{ trace: readonly TraceEntry[]; seen: string[] }> {
    resetDeliveries();
    const runtime = await start({
      seed,
      trace: true,
      faults: {
        delivery: { duplicate: 0.2, reorder: 0.3, reorderMaxDelayMs: 20_000 },
        push: { partial: 0.3 },
      },
      latency: { delivery: [10, 500], push: [1, 20] },
    });
    const work = new Queue({ key: 'work' });
    const other = new Queue({ key: 'other-work' });
    for (let round = 0; round < 3; round++) {
      await work
        .push([
          { body: { tag: `r${round}-retry`, retryTimes: 2, retryAfter: 3 } },
          { body: { tag: `r${round}-throw`, throwTimes: 1 } },
          { body: { tag: `r${round}-late` }, delayInSeconds: 30 },
          ...Array.from({ length: 5 }, (_, i) => ({
            body: { tag: `r${round}-k${i}`, sleepMs: 1_500 },
            concurrency: { key: 'k', limit: 2 },
          })),
        ])
        .catch(() => undefined);
      await other
        .push(
          Array.from({ length: 4 }, (_, i) => ({
            body: { tag: `r${round}-o${i}`, sleepMs: 700 },
            concurrency: { key: 'k', limit: 2 },
          })),
        )
        .catch(() => undefined);
    }
    await runtime.runUntilIdle();
    const trace = [...runtime.trace()];
    const seen = deliveries().map((d) => `${d.startedAt}:${d.queue}:${d.tag}:${d.eventId}:${d.retryCount}`);
    await runtime.close();
    rt = undefined;
    return { trace, seen };
  }

  it('gives the same trace and the same deliveries for the same seed', async () => {
    const first = await scenario(42);
    const second = await scenario(42);
    expect(first.trace.length).toBeGreaterThan(100);
    expect(first.trace.some((e) => e.kind === 'event' && e.detail.step === 'held-back')).toBe(true);
    expect(first.trace.some((e) => e.kind === 'event' && e.detail.duplicate === true)).toBe(true);
    expect(second.trace).toEqual(first.trace);
    expect(second.seen).toEqual(first.seen);
  });

  it('gives a different run for a different seed', async () => {
    const first = await scenario(42);
    const other = await scenario(43);
    expect(other.trace).not.toEqual(first.trace);
  });
});
