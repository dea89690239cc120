// What the simulated producers handed to a writer, as a caller would know it, and the two moves
// every producer shares: sending commands like a careful caller, and pushing an event no producer
// of ours would build.
import { Queue } from '@forge/events';
import type { SeededRandom } from '../local-runtime/kernel/random.js';
import {
  EnqueueError,
  type AnyEnvelope,
  type AnyWriter,
  type EnqueueOptions,
} from '../src/shared/writer/index.js';

/** One `enqueue` that the queue took, in whole or in part: what the shapes are counted from. */
export interface SentBatch {
  /** Virtual time of the enqueue. */
  at: number;
  /** The commands the queue accepted from it, in the order given. */
  commands: AnyEnvelope[];
  options: EnqueueOptions;
}

export interface Ledger {
  /** Commands the queue accepted (enqueue returned, or named them enqueued). */
  accepted: Map<string, AnyEnvelope>;
  /** Commands the caller was told were not enqueued (and did not re-send successfully). */
  refused: Set<string>;
  malformedPushed: number;
  /** Every enqueue that the queue took, in the order it returned. */
  batches: SentBatch[];
  /**
   * How this run's producers enqueue, on top of each call's own options: the concurrency key on
   * (the default) or off (`concurrencyKey: false`: consumers of one partition run in parallel).
   */
  enqueueDefaults: EnqueueOptions;
}

export function newLedger(enqueueDefaults: EnqueueOptions = {}): Ledger {
  return { accepted: new Map(), refused: new Set(), malformedPushed: 0, batches: [], enqueueDefaults };
}

/** Enqueues like a careful caller: what was not enqueued is re-sent with the same ids, sometimes. */
export async function send(
  writer: AnyWriter,
  ledger: Ledger,
  random: SeededRandom,
  commands: AnyEnvelope[],
  callOptions: EnqueueOptions = {},
): Promise<void> {
  const options = { ...ledger.enqueueDefaults, ...callOptions };
  const at = Date.now();
  try {
    await writer.enqueue(commands, options);
    for (const c of commands) {
      ledger.accepted.set(c.commandId, c);
      ledger.refused.delete(c.commandId);
    }
    ledger.batches.push({ at, commands, options });
  } catch (error) {
    if (!(error instanceof EnqueueError)) throw error;
    const byId = new Map(commands.map((c) => [c.commandId, c]));
    for (const id of error.enqueued) {
      ledger.accepted.set(id, byId.get(id)!);
      ledger.refused.delete(id);
    }
    if (error.enqueued.length > 0)
      ledger.batches.push({ at, commands: error.enqueued.map((id) => byId.get(id)!), options });
    const retry = error.notEnqueued.filter((id) => !ledger.accepted.has(id));
    for (const id of retry) ledger.refused.add(id);
    if (retry.length > 0 && random.chance(0.6))
      await send(
        writer,
        ledger,
        random,
        retry.map((id) => byId.get(id)!),
        callOptions,
      );
  }
}

/** An event no producer of ours would build: it must be recorded once, never retried forever. */
export async function malformedEvent(writer: AnyWriter, ledger: Ledger, random: SeededRandom): Promise<void> {
  try {
    await new Queue({ key: writer.queue }).push({
      body: { v: 1, commands: [{ type: 'nonsense', n: random.int(0, 9) }] },
    });
    ledger.malformedPushed += 1;
  } catch {
    // The push itself failed: nothing reached the queue, nothing to record.
  }
}
