// The shapes a run exhibited, counted from what happened (receipts, dead letters, stored records,
// the runtime's counters, the operator's log), not from what the workload planned: an event that
// was meant to need two transactions but was refused at enqueue counts for nothing.
// docs/simulation.md, "Shapes", says how each is counted.
import type { CounterSnapshot } from '../local-runtime/index.js';
import type { AnyEnvelope, AnyWriter } from '../src/shared/writer/index.js';
import { packEvents } from '../src/shared/writer/enqueue.js';
import { MAX_ATTEMPTS } from '../src/shared/writer/consumer/retry-policy.js';
import type { Ledger } from './ledger.js';
import type { OperatorLog } from './operator.js';
import type { RunRecords } from './records.js';

export const SHAPES = [
  /** Events with more than 24 settled commands for one partition: 2 transactions or more each. */
  'multi-transaction-event',
  /** Runs where two such events on one partition committed in between each other's transactions. */
  'multi-transaction-race',
  /** Fan-out events whose commands for more than 25 partitions all settled. */
  'fan-out-over-25',
  /** Runs with at least 10 partitions applied to, one of them taking more than half the commands. */
  'tens-of-partitions-one-hot',
  /** Runs ending with a stored record within 10 % of the writer's size limit. */
  'state-near-size-limit',
  /** Commands refused because the record would pass the size limit. */
  'refused-for-size',
  /** Events whose commands all settled more than an hour after the enqueue, none dead-lettered. */
  'retried-over-1h',
  /** Commands dead-lettered with the retention window's end near, before their attempts ran out. */
  'dead-lettered-at-window-margin',
  /** Runs whose operator replayed dead letters while the faults were on. */
  'replay-under-faults',
  /** Runs with the concurrency key on in which events were held back by it. */
  'concurrency-key-on',
  /** Runs with the concurrency key off in which a commit found its record changed under it. */
  'concurrency-key-off',
] as const;

export type ShapeName = (typeof SHAPES)[number];
export type Shapes = Record<ShapeName, number>;

export function noShapes(): Shapes {
  return Object.fromEntries(SHAPES.map((s) => [s, 0])) as Shapes;
}

export function addShapes(into: Shapes, from: Shapes): void {
  for (const s of SHAPES) into[s] += from[s];
}

/** Receipts per transaction: Forge's 25 operations, one of them the record. */
const RECEIPTS_PER_TRANSACTION = 24;
const HOUR = 60 * 60_000;
/** The size-limit reason of `applyEnvelope` (src/shared/writer/apply.ts). */
const OVER_SIZE = /data would be \d+ bytes, over its limit/;

export interface RunFacts {
  concurrencyKey: boolean;
  operator: OperatorLog;
}

export function countShapes(
  records: RunRecords,
  metered: CounterSnapshot,
  writer: AnyWriter,
  ledger: Ledger,
  facts: RunFacts,
): Shapes {
  const shapes = noShapes();
  const { idField, limits } = writer.config;
  const { receipts, letters } = records;
  const lettered = new Set(letters.flatMap((l) => ('commandId' in l.envelope ? [l.envelope.commandId] : [])));
  const settled = (c: AnyEnvelope) => {
    const r = receipts.get(c.commandId);
    return r !== undefined && (r.status === 'applied' || r.status === 'rejected') ? r : undefined;
  };
  const partitionOf = (c: AnyEnvelope) => String((c as unknown as Record<string, unknown>)[idField]);

  // Events, as enqueue packed each batch (the same function), per partition.
  const multiByPartition = new Map<string, Array<[number, number]>>();
  for (const batch of ledger.batches) {
    for (const event of packEvents(writer.config, batch.commands, batch.options)) {
      const commands = (event.body as unknown as { commands: AnyEnvelope[] }).commands;
      const byPartition = new Map<string, AnyEnvelope[]>();
      for (const c of commands)
        byPartition.set(partitionOf(c), [...(byPartition.get(partitionOf(c)) ?? []), c]);
      for (const [id, cmds] of byPartition) {
        const outcomes = cmds.map(settled).filter((r) => r !== undefined);
        if (outcomes.length <= RECEIPTS_PER_TRANSACTION) continue;
        shapes['multi-transaction-event'] += 1;
        const versions = outcomes.filter((r) => r.status === 'applied').map((r) => r.version);
        if (versions.length > 0)
          multiByPartition.set(id, [
            ...(multiByPartition.get(id) ?? []),
            [Math.min(...versions), Math.max(...versions)],
          ]);
      }
      if (batch.options.packing === 'fan-out' && byPartition.size > 25 && commands.every(settled))
        shapes['fan-out-over-25'] += 1;
      const outcomes = commands.map(settled);
      if (
        outcomes.every((r) => r !== undefined) &&
        !commands.some((c) => lettered.has(c.commandId)) &&
        Math.max(...outcomes.map((r) => r!.settledAt)) - batch.at > HOUR
      )
        shapes['retried-over-1h'] += 1;
    }
  }
  // Interleaved: one event's applied versions fall inside another's range on the same partition.
  const interleaved = [...multiByPartition.values()].some((ranges) =>
    ranges.some(([lo, hi], i) =>
      ranges.some(([lo2, hi2], j) => i !== j && lo < hi2 && lo2 < hi && lo <= lo2),
    ),
  );
  if (interleaved) shapes['multi-transaction-race'] = 1;

  const applied = new Map<string, number>();
  for (const r of receipts.values()) {
    if (r.status === 'applied') applied.set(String(r[idField]), (applied.get(String(r[idField])) ?? 0) + 1);
    if (r.status === 'rejected' && OVER_SIZE.test(r.reason ?? '')) shapes['refused-for-size'] += 1;
  }
  const total = [...applied.values()].reduce((a, b) => a + b, 0);
  if (applied.size >= 10 && Math.max(...applied.values()) * 2 > total)
    shapes['tens-of-partitions-one-hot'] = 1;

  const largest = Math.max(
    0,
    ...[...records.states.values()].map((r) => Buffer.byteLength(JSON.stringify(r))),
  );
  if (largest >= limits.maxStateBytes * 0.9) shapes['state-near-size-limit'] = 1;

  shapes['dead-lettered-at-window-margin'] = letters.filter(
    (l) => l.status !== 'malformed' && l.attempts < MAX_ATTEMPTS && !l.reason.startsWith('storage refused'),
  ).length;
  if (facts.operator.replaysUnderFaults > 0) shapes['replay-under-faults'] = 1;
  const counters = metered;
  if (facts.concurrencyKey && counters['events.heldBack'] > 0) shapes['concurrency-key-on'] = 1;
  if (!facts.concurrencyKey && counters['kvs.failedConditions'] > 0) shapes['concurrency-key-off'] = 1;
  return shapes;
}
