// Each invariant of the writer, checked over many seeded interleavings, beside a naive alternative
// that breaks it under the same conditions (so each test is shown able to fail).
import path from 'node:path';
import { Queue } from '@forge/events';
import { describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { recordActivity } from './harness.js';
import {
  issueWriter,
  type IssueEnvelope,
  type IssueRecord,
  type IssueReceipt,
  type IssueDeadLetter,
} from '../../src/shared/issue-data/issue-writer.js';

const fixture = path.resolve(import.meta.dirname, '../fixtures/naive-writers-app');
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);
const ISSUE = '20001';
const COMMANDS = 12;

const busy: RuntimeOptions = {
  latency: { kvsRead: [5, 25], kvsWrite: [10, 40], push: [5, 20], delivery: [0, 30] },
};

interface Outcome {
  counted: number;
  version: number;
  receipts: IssueReceipt[];
  deadLetters: IssueDeadLetter[];
  dropped: number;
  delivered: number;
}

/** Pushes `COMMANDS` activity commands for one issue, each in its own event, all at once. */
async function run(
  queue: string,
  seed: number,
  options: RuntimeOptions = {},
  commands: IssueEnvelope[] = Array.from({ length: COMMANDS }, () => recordActivity(ISSUE)),
  concurrencyKey = false,
): Promise<Outcome> {
  const rt: LocalForgeRuntime = await createRuntime({ appDir: fixture, seed, ...busy, ...options });
  try {
    await rt.runAsApp(() =>
      Promise.all(
        commands.map((c) => issueWriter.enqueue([c], { queue: new Queue({ key: queue }), concurrencyKey })),
      ),
    );
    await rt.runUntilIdle();
    const issue = rt.storage.getEntity('issue-state', ISSUE) as IssueRecord | undefined;
    return {
      counted: issue?.state.activity.counts.updated ?? 0,
      version: issue?.version ?? 0,
      receipts: rt.storage.listEntity('command-receipt').map((i) => i.value as IssueReceipt),
      deadLetters: rt.storage.listEntity('dead-letter').map((i) => i.value as IssueDeadLetter),
      dropped: rt.metered()['events.dropped'],
      delivered: rt.metered()['events.delivered'],
    };
  } finally {
    await rt.close();
  }
}

async function overSeeds(queue: string, options?: RuntimeOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const seed of SEEDS) outcomes.push(await run(queue, seed, options));
  return outcomes;
}

describe('invariant 1: no lost update', () => {
  it('a naive read-modify-write loses updates under concurrent delivery', async () => {
    const outcomes = await overSeeds('naive-commands');
    expect(outcomes.some((o) => o.counted < COMMANDS)).toBe(true);
  });

  it('the writer applies every command, in every interleaving', async () => {
    for (const o of await overSeeds('issue-commands')) {
      expect(o.counted).toBe(COMMANDS);
      expect(o.version).toBe(COMMANDS);
    }
  });
});

describe('invariant 2: exactly-once effect on at-least-once delivery', () => {
  const redelivery: RuntimeOptions = {
    faults: {
      delivery: { duplicate: 0.4 },
      crash: { probability: 0.3, afterStorageCalls: [2, 2], kinds: ['consumer'] },
    },
  };

  it('a version check without a ledger applies redelivered commands twice', async () => {
    const outcomes = await overSeeds('no-dedup-commands', redelivery);
    expect(outcomes.some((o) => o.counted > COMMANDS)).toBe(true);
  });

  it('the writer applies each command once, with one applied receipt per command', async () => {
    for (const o of await overSeeds('issue-commands', redelivery)) {
      expect(o.counted).toBe(COMMANDS);
      expect(o.receipts.filter((r) => r.status === 'applied')).toHaveLength(COMMANDS);
      expect(new Set(o.receipts.map((r) => r.version)).size).toBe(COMMANDS);
    }
  });
});

describe('invariant 3: nothing vanishes', () => {
  it('a consumer that gives up on conflicts loses commands without a trace', async () => {
    const outcomes = await overSeeds('drop-on-conflict-commands');
    expect(outcomes.some((o) => o.counted < COMMANDS && o.receipts.length === 0)).toBe(true);
  });

  it('under heavy storage errors every command ends applied or dead-lettered, never dropped', async () => {
    const stormy: RuntimeOptions = {
      faults: { kvs: { serverError: 0.5, rateLimited: 0.1, timeout: 0.05 } },
      events: { retentionMs: 30 * 60 * 1000 },
    };
    let deadLettered = 0;
    for (const o of await overSeeds('issue-commands', stormy)) {
      expect(o.dropped).toBe(0);
      const applied = o.receipts.filter((r) => r.status === 'applied');
      const letters = o.receipts.filter((r) => r.status === 'dead-lettered');
      expect(applied.length + letters.length).toBe(COMMANDS);
      expect(o.counted).toBe(applied.length);
      expect(o.deadLetters.filter((d) => d.status === 'open')).toHaveLength(letters.length);
      deadLettered += letters.length;
    }
    expect(deadLettered).toBeGreaterThan(0); // the storm was strong enough to reach the dead letters
  });
});

describe('invariant 4: the version check is mandatory; the concurrency key is only an aid', () => {
  // UI edits carry the issue's concurrency key; a report fan-out event for the same issue does not.
  async function mixed(queue: string, seed: number): Promise<Outcome> {
    const ui = Array.from({ length: COMMANDS / 2 }, () => recordActivity(ISSUE));
    const report = Array.from({ length: COMMANDS / 2 }, () => recordActivity(ISSUE));
    const rt = await createRuntime({ appDir: fixture, seed, ...busy });
    try {
      await rt.runAsApp(async () => {
        await Promise.all([
          ...ui.map((c) => issueWriter.enqueue([c], { queue: new Queue({ key: queue }) })),
          ...report.map((c) =>
            issueWriter.enqueue([c], { queue: new Queue({ key: queue }), packing: 'fan-out' }),
          ),
        ]);
      });
      await rt.runUntilIdle();
      const issue = rt.storage.getEntity('issue-state', ISSUE) as IssueRecord | undefined;
      return {
        counted: issue?.state.activity.counts.updated ?? 0,
        version: issue?.version ?? 0,
        receipts: [],
        deadLetters: [],
        dropped: 0,
        delivered: 0,
      };
    } finally {
      await rt.close();
    }
  }

  it('trusting the concurrency key loses updates when another path writes the same issue', async () => {
    const outcomes = await Promise.all(SEEDS.map((seed) => mixed('key-only-commands', seed)));
    expect(outcomes.some((o) => o.counted < COMMANDS)).toBe(true);
  });

  it('the writer holds with the same mix', async () => {
    for (const seed of SEEDS) expect((await mixed('issue-commands', seed)).counted).toBe(COMMANDS);
  });
});

describe('invariant 5: a malformed event is recorded once, never crash-looped', () => {
  async function malformed(queue: string): Promise<Outcome> {
    const rt = await createRuntime({ appDir: fixture, seed: 5 });
    try {
      await rt.runAsApp(() =>
        new Queue({ key: queue }).push({ body: { v: 1, commands: [{ nonsense: true }] } }),
      );
      await rt.runUntilIdle();
      return {
        counted: 0,
        version: 0,
        receipts: [],
        deadLetters: rt.storage.listEntity('dead-letter').map((i) => i.value as IssueDeadLetter),
        dropped: rt.metered()['events.dropped'],
        delivered: rt.metered()['events.delivered'],
      };
    } finally {
      await rt.close();
    }
  }

  it('a consumer that throws on bad input is retried for a day, then dropped without a record', async () => {
    const o = await malformed('throw-on-bad-input-commands');
    expect(o.delivered).toBeGreaterThan(10);
    expect(o.dropped).toBe(1);
    expect(o.deadLetters).toHaveLength(0);
  });

  it('the writer records it as malformed on the first delivery and does not retry', async () => {
    const o = await malformed('issue-commands');
    expect(o.delivered).toBe(1);
    expect(o.dropped).toBe(0);
    expect(o.deadLetters).toEqual([
      expect.objectContaining({ status: 'malformed', reason: expect.stringContaining('invalid command') }),
    ]);
  });
});
