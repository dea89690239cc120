// The figures reported for one scenario x approach, computed from what was observed in storage
// and from the runtime's counters.
import type { CounterSnapshot } from '../local-runtime/index.js';
import { forgeQuotaMinutes } from './quota.js';

export interface Figures {
  commands: number;
  lostUpdates: number;
  duplicateEffects: number;
  kvsRequestsPerCommand: number;
  writeUnitsPerCommand: number;
  eventsPerCommand: number;
  conflictsPerCommand: number;
  p50Ms: number;
  p99Ms: number;
  makespanMs: number;
  forgeQuotaMinutes: number;
}

/**
 * Per issue, expected minus observed effects counts as lost, observed minus expected as
 * duplicated. An issue with both a loss and a duplicate nets out: only the difference shows.
 */
export function effectErrors(
  expected: ReadonlyMap<string, number>,
  observed: ReadonlyMap<string, number>,
): { lostUpdates: number; duplicateEffects: number } {
  let lostUpdates = 0;
  let duplicateEffects = 0;
  for (const id of new Set([...expected.keys(), ...observed.keys()])) {
    const diff = (observed.get(id) ?? 0) - (expected.get(id) ?? 0);
    if (diff < 0) lostUpdates -= diff;
    else duplicateEffects += diff;
  }
  return { lostUpdates, duplicateEffects };
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Observation {
  commands: number;
  expected: ReadonlyMap<string, number>;
  observed: ReadonlyMap<string, number>;
  latenciesMs: readonly number[];
  makespanMs: number;
  counters: CounterSnapshot;
}

export function computeFigures(o: Observation): Figures {
  const per = (n: number) => round(n / Math.max(1, o.commands), 4);
  const events = o.counters['events.pushed'];
  const writeUnits = o.counters['kvs.writeUnits'];
  return {
    commands: o.commands,
    ...effectErrors(o.expected, o.observed),
    kvsRequestsPerCommand: per(o.counters['kvs.requests']),
    writeUnitsPerCommand: per(writeUnits),
    eventsPerCommand: per(events),
    conflictsPerCommand: per(o.counters['kvs.failedConditions']),
    p50Ms: Math.round(percentile(o.latenciesMs, 50)),
    p99Ms: Math.round(percentile(o.latenciesMs, 99)),
    makespanMs: Math.round(o.makespanMs),
    forgeQuotaMinutes: round(forgeQuotaMinutes({ makespanMs: o.makespanMs, events, writeUnits }), 3),
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
