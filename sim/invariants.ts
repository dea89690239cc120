// Checks a finished run against a sequential model of the accepted commands: replaying every
// applied command in the order the writer versioned it must give exactly the stored state. The
// same checks hold for every domain: they read the writer's own entities and reducer. Where a
// domain has one, a second model that does not use the reducer must agree too.
import { isDeepStrictEqual } from 'node:util';
import type { CounterSnapshot } from '../local-runtime/index.js';
import {
  type AnyEnvelope,
  type AnyWriter,
  type ReceiptRecord,
  type StateRecord,
} from '../src/shared/writer/index.js';
import type { Ledger } from './ledger.js';
import type { AppliedCommand } from './models/issue-model.js';
import type { RunRecords } from './records.js';

export type Invariant =
  | 'no-lost-update'
  | 'independent-model'
  | 'exactly-once'
  | 'nothing-vanishes'
  | 'rejections-justified'
  | 'malformed-recorded'
  /** A cost invariant: a delivery of already-settled work ends at once (settled-work-ends.ts). */
  | 'settled-work-ends';

/** A domain's model of a partition's state that does not use the writer's reducer. */
export type IndependentModel = (before: unknown, applied: AppliedCommand[]) => unknown;

export interface Violation {
  seed: number;
  invariant: Invariant;
  detail: string;
  /** The platform profile the run used, once reported. */
  profile?: string;
}

export function checkInvariants(
  seed: number,
  records: RunRecords,
  metered: CounterSnapshot,
  writer: AnyWriter,
  ledger: Ledger,
  /** Records stored before the run: the model of each partition starts from them. */
  storedBefore: ReadonlyMap<string, StateRecord<unknown>> = new Map(),
  independentModel?: IndependentModel,
): Violation[] {
  const violations: Violation[] = [];
  const fail = (invariant: Invariant, detail: string) => violations.push({ seed, invariant, detail });
  const { idField, partitionName } = writer.config;
  const { receipts, states } = records;

  // 3. Nothing vanishes: every accepted command is settled; nothing the caller was refused is.
  for (const [id] of ledger.accepted) {
    const receipt = receipts.get(id);
    if (!receipt) fail('nothing-vanishes', `accepted command ${id} has no receipt`);
    else if (receipt.status === 'pending')
      fail('nothing-vanishes', `accepted command ${id} is still only deposited, never settled`);
    else if (receipt.status === 'dead-lettered')
      fail('nothing-vanishes', `command ${id} is still dead-lettered after replay`);
  }
  for (const id of ledger.refused) {
    if (receipts.has(id)) fail('exactly-once', `command ${id} was reported not enqueued, yet has a receipt`);
  }
  for (const [id] of receipts) {
    if (!ledger.accepted.has(id) && !ledger.refused.has(id))
      fail('exactly-once', `receipt for unknown command ${id}`);
  }

  // 1 and 2. Per partition, applied commands carry versions 1..V exactly once, and replaying them
  // in that order through the reducer gives the stored state.
  const byPartition = new Map<string, Array<{ receipt: ReceiptRecord; cmd: AnyEnvelope }>>();
  for (const receipt of receipts.values()) {
    const cmd = ledger.accepted.get(receipt.commandId);
    if (!cmd) continue;
    const id = String(receipt[idField]);
    byPartition.set(id, [...(byPartition.get(id) ?? []), { receipt, cmd }]);
  }
  for (const id of new Set([...byPartition.keys(), ...states.keys()])) {
    const where = `${partitionName} ${id}`;
    const settled = byPartition.get(id) ?? [];
    const applied = settled
      .filter((s) => s.receipt.status === 'applied')
      .sort((a, b) => a.receipt.version - b.receipt.version);
    const stored = states.get(id);
    const before = storedBefore.get(id);
    const first = before?.version ?? 0;
    const version = stored?.version ?? 0;
    if (applied.length !== version - first) {
      fail(
        'exactly-once',
        `${where}: version ${version} but ${applied.length} applied receipts after ${first}`,
      );
    }
    applied.forEach((s, i) => {
      if (s.receipt.version !== first + i + 1)
        fail(
          'exactly-once',
          `${where}: applied versions are not ${first + 1}..${version} (found ${s.receipt.version} at ${first + i + 1})`,
        );
    });
    // modelStates[v - first] is the state at version v.
    const modelStates: unknown[] = [before ? before.state : writer.config.initialState()];
    let state = modelStates[0];
    for (const [i, { cmd }] of applied.entries()) {
      // The reducer and the whole-partition check, without re-measuring the record after every
      // command (the writer's size check encodes the whole state each time, the run's largest
      // cost); the stored record's size is checked once below, and refusals in full.
      const result = applyUnmeasured(writer, state, cmd, first + i);
      if (!result.ok) {
        fail(
          'no-lost-update',
          `${where}: ${cmd.commandId} is applied at version ${i + 1} but the model refuses it: ${result.reason}`,
        );
        break;
      }
      state = result.state;
      modelStates.push(state);
    }
    const storedBytes = stored ? Buffer.byteLength(JSON.stringify(stored)) : 0;
    if (storedBytes > writer.config.limits.maxStateBytes)
      fail(
        'no-lost-update',
        `${where}: the stored record is ${storedBytes} bytes, over the limit of ${writer.config.limits.maxStateBytes}`,
      );
    if (stored && !isDeepStrictEqual(stored.state, state)) {
      fail(
        'no-lost-update',
        `${where}: stored state differs from the sequential model of ${applied.length} applied commands`,
      );
    }
    if (independentModel && (stored || applied.length > 0)) {
      const expected = independentModel(
        before?.state,
        applied.map((s) => ({ envelope: s.cmd, version: s.receipt.version })),
      );
      if (!isDeepStrictEqual(stored?.state, expected))
        fail(
          'independent-model',
          `${where}: stored state differs from what the ${applied.length} applied commands give, field by field, at ${firstDifference(stored?.state, expected)}`,
        );
    }
    // Rejections are final and justified: at the version they name, the model refuses them too.
    for (const { receipt, cmd } of settled.filter((s) => s.receipt.status === 'rejected')) {
      const at = modelStates[receipt.version - first];
      if (receipt.version < first || receipt.version - first >= modelStates.length) {
        fail(
          'rejections-justified',
          `${where}: ${cmd.commandId} rejected at unknown version ${receipt.version}`,
        );
      } else if (writer.apply(at, cmd, receipt.version).ok) {
        fail(
          'rejections-justified',
          `${where}: ${cmd.commandId} rejected at version ${receipt.version} ("${receipt.reason}") but the model accepts it there`,
        );
      }
    }
  }

  // Forge keeps at most 4 KB of retryData: the writer must never hand it more.
  const refusedRetryData = metered['events.retryDataRefused'] + metered['triggers.retryDataRefused'];
  if (refusedRetryData > 0)
    fail('nothing-vanishes', `${refusedRetryData} retry request(s) carried retryData over 4 KB`);

  // 5. Malformed events are recorded, once each.
  const malformed = records.letters.filter((l) => l.status === 'malformed').length;
  if (malformed !== ledger.malformedPushed) {
    fail('malformed-recorded', `${ledger.malformedPushed} malformed event(s) pushed, ${malformed} recorded`);
  }
  return violations;
}

/** Where two JSON values first differ, with both sides there: `path: stored X, model Y`. */
export function firstDifference(stored: unknown, model: unknown, path = 'state'): string {
  if (isDeepStrictEqual(stored, model)) return '';
  if (
    typeof stored === 'object' &&
    typeof model === 'object' &&
    stored !== null &&
    model !== null &&
    Array.isArray(stored) === Array.isArray(model)
  ) {
    const a = stored as Record<string, unknown>;
    const b = model as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!isDeepStrictEqual(a[key], b[key])) return firstDifference(a[key], b[key], `${path}.${key}`);
    }
  }
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 200));
  return `${path}: stored ${show(stored)}, model ${show(model)}`;
}

/** `writer.apply` without its size limit: the reducer, then the envelope's `expectedVersion`. */
function applyUnmeasured(writer: AnyWriter, state: unknown, cmd: AnyEnvelope, version: number) {
  const result = writer.config.apply(state, cmd, {
    commandId: cmd.commandId,
    issuedAt: cmd.issuedAt,
    source: cmd.source,
    version,
  });
  if (result.ok && cmd.expectedVersion !== undefined && cmd.expectedVersion !== version)
    return { ok: false as const, reason: `expected version ${cmd.expectedVersion}, applied at ${version}` };
  return result;
}
