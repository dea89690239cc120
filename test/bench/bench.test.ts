// The benchmark's own code: a tiny hot issue through two approaches, and the metric arithmetic on
// known cases. Speed is never asserted here.
import { describe, expect, it } from 'vitest';
import { APPROACH_FORMS } from '../../bench/approaches/index.js';
import { runCase } from '../../bench/run-case.js';
import { hotIssue } from '../../bench/scenarios/hot-issue.js';
import { faults, spread } from '../../bench/scenarios/spread.js';
import type { ProducerScenario } from '../../bench/scenarios/types.js';
import { effectErrors, percentile } from '../../bench/metrics.js';
import { forgeQuotaMinutes } from '../../bench/quota.js';

describe('bench metrics', () => {
  it('counts lost and duplicated effects per issue, netting within an issue', () => {
    const expected = new Map([
      ['1', 10],
      ['2', 5],
      ['3', 4],
    ]);
    const observed = new Map([
      ['1', 7],
      ['2', 6],
      ['3', 4],
    ]);
    expect(effectErrors(expected, observed)).toEqual({ lostUpdates: 3, duplicateEffects: 1 });
  });

  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile([], 50)).toBe(0);
  });

  it('projects Forge quota time from the binding limit', () => {
    expect(forgeQuotaMinutes({ makespanMs: 60_000, events: 100, writeUnits: 100 })).toBe(1);
    expect(forgeQuotaMinutes({ makespanMs: 1_000, events: 2_000, writeUnits: 100 })).toBe(4);
    expect(forgeQuotaMinutes({ makespanMs: 1_000, events: 10, writeUnits: 20_000 })).toBe(5);
  });
});

describe('bench scenarios', () => {
  const tiny = hotIssue({ producers: 8, commandsEach: 3 });

  it('naive get-modify-set loses updates on a small hot issue with latency', async () => {
    const result = await runCase(tiny, 'naive', { seed: 3 });
    expect(result.commands).toBe(24);
    expect(result.lostUpdates).toBeGreaterThan(0);
    expect(result.perCommand.events).toBe(0);
  });

  it('the writer loses nothing and applies nothing twice on the same workload', async () => {
    const result = await runCase(tiny, 'writer', { seed: 3 });
    expect(result).toMatchObject({ commands: 24, lostUpdates: 0, duplicateEffects: 0 });
    expect(result.perCommand.events).toBe(1);
    // Without coalescing: one read and one conditional transaction per command, the concurrency
    // key keeping them apart.
    const plain = await runCase(tiny, 'writer-no-coalesce', { seed: 3 });
    expect(plain).toMatchObject({ lostUpdates: 0, duplicateEffects: 0 });
    expect(plain.perCommand.kvsRequests).toBe(2);
    // With it (the default), one more write per command (its deposit) buys the burst being
    // applied in a few passes: some commits, queries and reads, but fewer than a commit each.
    expect(result.perCommand.kvsRequests).toBeGreaterThan(2);
    expect(result.perCommand.kvsRequests).toBeLessThan(3);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(result.makespanMs).toBeGreaterThan(0);
  });
});

describe('bench fair forms', () => {
  it('measures each alternative as usually written and in its best form', () => {
    expect(APPROACH_FORMS).toMatchObject({
      naive: 'as usually written',
      'caller-cas': 'as usually written',
      'caller-cas-best': 'best form',
      'lease-lock': 'as usually written',
      'lease-lock-best': 'best form',
      writer: 'as usually written',
      'writer-batched': 'best form',
    });
  });

  // A small `faults`, its weather made heavier so that a few hundred commands meet every fault:
  // storage errors, push errors, and producers that crash after a storage call (after a commit,
  // too), all retried within the same budget.
  const stormy: ProducerScenario = {
    ...faults({ producers: 40, commandsEach: 5, issues: 6, windowMs: 5_000 }),
    faults: {
      kvs: { serverError: 0.05 },
      push: { serverError: 0.05, partial: 0.02 },
      crash: { probability: 0.1, afterStorageCalls: [1, 4], kinds: ['consumer', 'trigger'] },
    },
  };

  it('the best forms lose nothing and apply nothing twice under faults; without receipts, CAS duplicates', async () => {
    for (const approach of ['caller-cas-best', 'lease-lock-best', 'writer-batched'] as const) {
      const result = await runCase(stormy, approach, { seed: 5 });
      expect(result, approach).toMatchObject({
        commands: 200,
        lostUpdates: 0,
        duplicateEffects: 0,
        gaveUp: 0,
      });
    }
    // The same storm through caller-side CAS as usually written: a producer that crashed after
    // committing is retried and applies its commands again, which a receipt would have refused.
    const usual = await runCase(stormy, 'caller-cas', { seed: 5 });
    expect(usual.duplicateEffects).toBeGreaterThan(0);
  });

  it('runs on realistic state: 50 to 100 checklist items, whose size shows in read and write units', async () => {
    const small = spread({ producers: 10, commandsEach: 3, issues: 3, windowMs: 2_000 });
    const result = await runCase(small, 'writer-no-coalesce', { seed: 5 });
    expect(result.stateSize.checklistItemsMin).toBeGreaterThanOrEqual(50);
    expect(result.stateSize.checklistItemsMax).toBeLessThanOrEqual(100);
    expect(result.stateSize.meanRecordBytes).toBeGreaterThan(20 * 1024);
    // One load and one commit per command, each carrying the whole record: several 10 KB units.
    expect(result.perCommand.readUnits).toBeGreaterThan(2);
    expect(result.perCommand.writeUnits).toBeGreaterThan(2);
  });
});
