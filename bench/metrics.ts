// The figures reported for one scenario x approach, computed from what was observed in storage
// and from the runtime's counters.
import type { CounterSnapshot } from '../local-runtime/index.js';
import { bindingLimit, forgeQuotaMinutes } from './quota.js';

/**
 * Forge use, as metered by the runtime's counters: in `totals` for the whole run, in `perCommand`
 * divided by the commands issued. The site-scale sweep reads `perCommand`.
 */
export interface ForgeUse {
  /** Async events pushed (`events.pushed`). */
  events: number;
  /** Push requests (`events.pushRequests`): one carries up to 50 events. */
  pushRequests: number;
  /** KVS requests of every kind (`kvs.requests`), reads and writes. */
  kvsRequests: number;
  kvsReadRequests: number;
  kvsWriteRequests: number;
  /** KVS read units: each read's answer rounded up to 10 KB (`kvs.readUnits`). */
  readUnits: number;
  /** KVS write units: each write's request rounded up to 10 KB (`kvs.writeUnits`). */
  writeUnits: number;
  /** Failed KVS conditions (`kvs.failedConditions`), a lease's failed acquisitions included. */
  conflicts: number;
  /** Function invocations (`functions.invocations`): producers, consumers, report pages. */
  invocations: number;
}

/** The stored issue records at the end of a run: how big the state each write carries is. */
export interface StateSize {
  issues: number;
  checklistItemsMin: number;
  checklistItemsMax: number;
  /** Mean JSON size of an issue's stored record, in bytes. */
  meanRecordBytes: number;
  maxRecordBytes: number;
}

export interface Figures {
  commands: number;
  /** Issued commands whose effect is missing at the end (accepted or not: see `gaveUp`). */
  lostUpdates: number;
  /** Effects applied more than once. */
  duplicateEffects: number;
  /** Commands of deliveries that failed every attempt of their retry budget. */
  gaveUp: number;
  perCommand: ForgeUse;
  totals: ForgeUse;
  p50Ms: number;
  p99Ms: number;
  makespanMs: number;
  forgeQuotaMinutes: number;
  /** Which of Forge's limits sets `forgeQuotaMinutes` (or `time`: the run itself). */
  bindingLimit: ReturnType<typeof bindingLimit>;
  stateSize: StateSize;
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
  /** The counters of the workload alone (what seeding the state cost is left out). */
  counters: CounterSnapshot;
  /** Lost effects found beyond `expected` / `observed` (last-writer-wins fields not at their newest). */
  extraLost?: number;
  gaveUp?: number;
  stateSize: StateSize;
}

export function forgeUse(counters: CounterSnapshot): ForgeUse {
  return {
    events: counters['events.pushed'],
    pushRequests: counters['events.pushRequests'],
    kvsRequests: counters['kvs.requests'],
    kvsReadRequests: counters['kvs.readRequests'],
    kvsWriteRequests: counters['kvs.writeRequests'],
    readUnits: counters['kvs.readUnits'],
    writeUnits: counters['kvs.writeUnits'],
    conflicts: counters['kvs.failedConditions'],
    invocations: counters['functions.invocations'],
  };
}

export function computeFigures(o: Observation): Figures {
  const totals = forgeUse(o.counters);
  const perCommand = Object.fromEntries(
    Object.entries(totals).map(([k, v]) => [k, round(v / Math.max(1, o.commands), 4)]),
  ) as unknown as ForgeUse;
  const errors = effectErrors(o.expected, o.observed);
  const quota = { ...totals, makespanMs: o.makespanMs };
  return {
    commands: o.commands,
    lostUpdates: errors.lostUpdates + (o.extraLost ?? 0),
    duplicateEffects: errors.duplicateEffects,
    gaveUp: o.gaveUp ?? 0,
    perCommand,
    totals,
    p50Ms: Math.round(percentile(o.latenciesMs, 50)),
    p99Ms: Math.round(percentile(o.latenciesMs, 99)),
    makespanMs: Math.round(o.makespanMs),
    forgeQuotaMinutes: round(forgeQuotaMinutes(quota), 3),
    bindingLimit: bindingLimit(quota),
    stateSize: o.stateSize,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
