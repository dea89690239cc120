// The same seed gives the same run, event for event: a failing run replays from its seed.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime, type TraceEntry } from '../../local-runtime/index.js';

const appDir = path.resolve(import.meta.dirname, '../..');

async function scenario(
  seed: number,
): Promise<{ trace: readonly TraceEntry[]; stored: unknown; counters: unknown }> {
  const rt = await createRuntime({
    appDir,
    seed,
    trace: true,
    latency: { kvsRead: [5, 20], kvsWrite: [10, 40], push: [10, 50], delivery: [100, 2000] },
    faults: {
      kvs: { serverError: 0.05, rateLimited: 0.05, timeout: 0.02 },
      delivery: { duplicate: 0.2, reorder: 0.3 },
      crash: { probability: 0.2, afterStorageCalls: [1, 2], kinds: ['consumer'] },
    },
  });
  try {
    const submits = [];
    for (let i = 0; i < 12; i++) {
      submits.push(
        rt
          .invokeResolver({
            functionKey: 'submitCommand',
            payload: { type: 'checklist.add', payload: { itemId: `item-${i}`, text: `Item ${i}` } },
            accountId: 'user-admin',
            extension: {
              type: 'jira:issuePanel',
              issue: { id: i % 2 ? '10001' : '10002', key: i % 2 ? 'APP-1' : 'APP-2' },
            },
          })
          .catch((error: unknown) => ({ failed: String(error) })),
      );
    }
    await Promise.all(submits);
    await rt.runUntilIdle();
    return {
      trace: rt.trace(),
      stored: rt.storage.listEntity('issue-state'),
      counters: rt.metered(),
    };
  } finally {
    await rt.close();
  }
}

describe('seeded replay', () => {
  it('runs one scenario twice with the same seed and gets the same full trace', async () => {
    const first = await scenario(1234);
    const second = await scenario(1234);
    expect(first.trace.length).toBeGreaterThan(100);
    expect(second.trace).toEqual(first.trace);
    expect(second.stored).toEqual(first.stored);
    expect(second.counters).toEqual(first.counters);
  });

  it('a different seed gives a different run', async () => {
    const a = await scenario(1);
    const b = await scenario(2);
    expect(b.trace).not.toEqual(a.trace);
  });
});
