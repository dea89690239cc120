// How long an event over its concurrency limit is held back is the platform's undocumented choice;
// the runtime offers one model per plausible answer (events/hold-back.ts), and each behaves as named.
import { Queue } from '@forge/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type HoldBackModel, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { EVENTS_APP_DIR, resetDeliveries } from '../fixtures/events-app/harness.js';

let rt: LocalForgeRuntime | undefined;
beforeEach(() => resetDeliveries());
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

/** The delays the platform chose between tries of held-back events, from the trace. */
async function holdBackDelays(holdBack: HoldBackModel): Promise<number[]> {
  rt = await createRuntime({ appDir: EVENTS_APP_DIR, seed: 5, trace: true, events: { holdBack } });
  // One long event holds the key; the others keep being held back while it runs.
  await new Queue({ key: 'work' }).push([
    { body: { tag: 'long', sleepMs: 120_000 }, concurrency: { key: 'k', limit: 1 } },
    ...Array.from({ length: 5 }, (_, i) => ({
      body: { tag: `t${i}`, sleepMs: 1 },
      concurrency: { key: 'k', limit: 1 },
    })),
  ]);
  await rt.runUntilIdle();
  return rt
    .trace()
    .filter((t) => t.kind === 'event' && t.detail['step'] === 'schedule' && t.detail['why'] === 'concurrency')
    .map((t) => t.detail['inMs'] as number);
}

describe('hold-back models', () => {
  it('doubling-4s: starts near 4 s and grows', async () => {
    const delays = await holdBackDelays('doubling-4s');
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(3_000);
    expect(Math.max(...delays)).toBeGreaterThan(16_000);
  });

  it('fixed-1s: about a second every time', async () => {
    const delays = await holdBackDelays('fixed-1s');
    expect(delays.length).toBeGreaterThan(100);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(750);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1_250);
  });

  it('gaps-4-16s: between 4 and 16 s, not growing', async () => {
    const delays = await holdBackDelays('gaps-4-16s');
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(16_000);
    expect(delays.length).toBeGreaterThan(20);
  });
});
