// Forge's `concurrency: { key, limit }`: per installation, shared by every queue, never more than
// `limit` events with one key running at once; events over the limit are held back and retried.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from '@forge/events';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { EVENTS_APP_DIR, deliveries, maxRunning, resetDeliveries } from '../fixtures/events-app/harness.js';

let rt: LocalForgeRuntime | undefined;

async function start(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  rt = await createRuntime({ appDir: EVENTS_APP_DIR, seed: 3, ...options });
  return rt;
}

beforeEach(() => resetDeliveries());
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

function sleepers(n: number, prefix: string, concurrency?: { key: string; limit: number }, sleepMs = 2_000) {
  return Array.from({ length: n }, (_, i) => ({
    body: { tag: `${prefix}${i}`, sleepMs },
    ...(concurrency ? { concurrency } : {}),
  }));
}

describe('concurrency limits', () => {
  it('never runs more than `limit` events with one key at once, and still runs every event once', async () => {
    const runtime = await start();
    const work = new Queue({ key: 'work' });
    await work.push(sleepers(30, 'a', { key: 'tenant-1', limit: 2 }));
    await runtime.runUntilIdle();
    const ds = deliveries();
    expect(ds).toHaveLength(30);
    expect(new Set(ds.map((d) => d.eventId)).size).toBe(30);
    expect(maxRunning(ds, 'tenant-1')).toBe(2);
    expect(runtime.metered()['events.heldBack']).toBeGreaterThan(0);
    // Held-back attempts are the platform's, not the consumer's: no retryContext.
    expect(ds.every((d) => d.retryCount === 0)).toBe(true);
    expect(runtime.metered()['events.succeeded']).toBe(30);
  });

  it('shares one key across queues', async () => {
    const runtime = await start();
    const shared = { key: 'shared', limit: 3 };
    await new Queue({ key: 'work' }).push(sleepers(12, 'w', shared));
    await new Queue({ key: 'other-work' }).push(sleepers(12, 'o', shared));
    await runtime.runUntilIdle();
    const ds = deliveries();
    expect(ds).toHaveLength(24);
    expect(maxRunning(ds, 'shared')).toBe(3);
    // The limit is counted across both queues, not per queue: at the start both queues compete for 3 slots.
    const firstWave = ds.filter((d) => d.startedAt === ds[0]!.startedAt);
    expect(firstWave).toHaveLength(3);
  });

  it('limits each key on its own', async () => {
    const runtime = await start();
    const work = new Queue({ key: 'work' });
    await work.push(sleepers(6, 'a', { key: 'a', limit: 1 }));
    await work.push(sleepers(6, 'b', { key: 'b', limit: 4 }));
    await runtime.runUntilIdle();
    expect(maxRunning(deliveries(), 'a')).toBe(1);
    expect(maxRunning(deliveries(), 'b')).toBe(4);
  });

  it('runs events without a key all at once (the control case)', async () => {
    const runtime = await start();
    await new Queue({ key: 'work' }).push(sleepers(20, 'free'));
    await runtime.runUntilIdle();
    const starts = new Set(deliveries().map((d) => d.startedAt));
    expect(starts.size).toBe(1);
    expect(runtime.metered()['events.heldBack']).toBe(0);
  });

  it('shows held-back events in the snapshot and starts them only after a slot frees up', async () => {
    const runtime = await start();
    const t0 = runtime.clock.now();
    await new Queue({ key: 'work' }).push(sleepers(3, 'h', { key: 'solo', limit: 1 }, 20_000));
    await runtime.advance(1);
    const snapshot = runtime.events.snapshot();
    expect(snapshot.map((e) => e.state).sort()).toEqual(['held-back', 'held-back', 'in-flight']);
    expect(snapshot.every((e) => e.concurrencyKey === 'solo')).toBe(true);
    expect(runtime.events.inFlight()).toBe(1);
    expect(runtime.events.pending()).toBe(2);
    for (const e of snapshot.filter((s) => s.state === 'held-back')) expect(e.dueAt).toBeGreaterThan(t0);
    await runtime.runUntilIdle();
    const ds = [...deliveries()].sort((a, b) => a.startedAt - b.startedAt);
    expect(ds).toHaveLength(3);
    expect(maxRunning(ds, 'solo')).toBe(1);
    for (let i = 1; i < ds.length; i++) expect(ds[i]!.startedAt).toBeGreaterThanOrEqual(ds[i - 1]!.endedAt!);
    expect(runtime.metered()['events.heldBack']).toBeGreaterThanOrEqual(2);
  });
});
