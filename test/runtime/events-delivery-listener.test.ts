// `rt.events.onDelivery`: after each consumer delivery, what it was, when it ran, how it ended, the
// KVS requests it made and the faults the runtime injected into it; and listening changes nothing.
import path from 'node:path';
import { Queue } from '@forge/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRuntime,
  type ConsumerDelivery,
  type LocalForgeRuntime,
  type RuntimeOptions,
} from '../../local-runtime/index.js';
import type { Plan, Step } from './fixtures/retry-app/src/handlers.js';

const APP_DIR = path.resolve(import.meta.dirname, 'fixtures/retry-app');

let rt: LocalForgeRuntime | undefined;

async function start(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  rt = await createRuntime({ appDir: APP_DIR, seed: 3, log: () => {}, ...options });
  return rt;
}

/** Pushes one event whose consumer writes once to KVS, then does `steps` delivery by delivery. */
async function push(tag: string, steps: Step[]): Promise<string> {
  const plan: Plan = { tag, steps };
  const { jobId } = await new Queue({ key: 'work' }).push({
    body: plan as unknown as Record<string, unknown>,
  });
  return jobId;
}

function listen(runtime: LocalForgeRuntime): ConsumerDelivery[] {
  const seen: ConsumerDelivery[] = [];
  runtime.events.onDelivery((d) => seen.push(d));
  return seen;
}

beforeEach(() => {
  globalThis.__retryAppRecord = [];
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

describe('rt.events.onDelivery', () => {
  it('reports each delivery with its event, times, outcome and no faults in calm weather', async () => {
    const runtime = await start();
    const seen = listen(runtime);
    const jobId = await push('a', [{ retry: { retryAfter: 60 } }, { sleepMs: 1_500 }]);
    await runtime.runUntilIdle();
    expect(seen.map((d) => [d.outcome, d.retryCount, d.duplicate])).toEqual([
      ['retryRequested', 0, false],
      ['success', 1, false],
    ]);
    const [first, second] = seen as [ConsumerDelivery, ConsumerDelivery];
    expect(first).toMatchObject({ jobId, queueName: 'work', body: { tag: 'a' } });
    expect(second.eventId).toBe(first.eventId);
    expect(second.startedAt).toBeGreaterThanOrEqual(first.endedAt + 60_000);
    expect(second.endedAt - second.startedAt).toBeGreaterThanOrEqual(1_500);
    expect(seen.every((d) => d.faults.count === 0)).toBe(true);
    // Each run of the consumer writes its delivery count once.
    expect(seen.map((d) => d.kvs)).toEqual([
      { reads: 0, writes: 1, writesApplied: 1 },
      { reads: 0, writes: 1, writesApplied: 1 },
    ]);
  });

  it('counts the KVS faults injected into the delivery that met them, by kind', async () => {
    const runtime = await start({ faults: { kvs: { serverError: 1 } } });
    const seen: ConsumerDelivery[] = [];
    runtime.events.onDelivery((d) => {
      seen.push(d);
      runtime.setFaults({}); // the next delivery runs in calm weather
    });
    await push('b', ['return']);
    await runtime.runUntilIdle();
    expect(seen.map((d) => [d.outcome, d.faults])).toEqual([
      ['failed', { count: 1, byKind: { 'kvs.serverError': 1 } }],
      ['success', { count: 0, byKind: {} }],
    ]);
    // The refused write is counted, but not as applied.
    expect(seen.map((d) => d.kvs.writesApplied)).toEqual([0, 1]);
  });

  it('counts a crash and a platform-level error as injected faults', async () => {
    const runtime = await start({ faults: { delivery: { platformError: 1 } } });
    const seen: ConsumerDelivery[] = [];
    runtime.events.onDelivery((d) => {
      seen.push(d);
      runtime.setFaults({});
    });
    runtime.crashNextInvocation('work', 1);
    await push('c', ['return']);
    await runtime.runUntilIdle();
    // A platform error strikes before the consumer runs or after it: only a run is reported.
    const crashed = seen.find((d) => d.faults.byKind.crash === 1);
    expect(crashed?.outcome === 'failed' || crashed?.outcome === 'platformError').toBe(true);
    expect(seen.at(-1)).toMatchObject({ outcome: 'success', faults: { count: 0 } });
    const stormy = await start({ seed: 4, faults: { delivery: { platformError: 1 } } });
    const platform: ConsumerDelivery[] = [];
    stormy.events.onDelivery((d) => {
      platform.push(d);
      stormy.setFaults({});
    });
    await push('d', ['return']);
    await stormy.runUntilIdle();
    expect(platform.some((d) => d.outcome === 'platformError' && d.faults.byKind.platformError === 1)).toBe(
      true,
    );
  });

  it('reports duplicate deliveries as such, and stops when the listener is removed', async () => {
    const runtime = await start({ faults: { delivery: { duplicate: 1 } } });
    const seen: ConsumerDelivery[] = [];
    const stop = runtime.events.onDelivery((d) => seen.push(d));
    await push('e', ['return']);
    await runtime.runUntilIdle();
    expect(seen.map((d) => d.duplicate).sort()).toEqual([false, true]);
    stop();
    await push('f', ['return']);
    await runtime.runUntilIdle();
    expect(seen).toHaveLength(2);
  });

  it('changes nothing of the run: the same seed gives the same trace with or without a listener', async () => {
    const faults: RuntimeOptions['faults'] = {
      kvs: { serverError: 0.3, timeout: 0.1 },
      delivery: { duplicate: 0.3, platformError: 0.2 },
      crash: { probability: 0.2, afterStorageCalls: [1, 1], kinds: ['consumer'] },
    };
    const traces: string[] = [];
    for (const watched of [false, true]) {
      globalThis.__retryAppRecord = [];
      const runtime = await start({ seed: 7, trace: true, faults });
      if (watched) listen(runtime);
      for (const tag of ['g', 'h', 'i']) await push(tag, ['throw', 'return']);
      await runtime.runUntilIdle();
      traces.push(JSON.stringify(runtime.trace()));
      await runtime.close();
      rt = undefined;
    }
    expect(traces[1]).toBe(traces[0]);
  });
});
