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

export interface Ledger {
  /** Commands the queue accepted (enqueue returned, or named them enqueued). */
  accepted: Map<string, AnyEnvelope>;
  /** Commands the caller was told were not enqueued (and did not re-send successfully). */
  refused: Set<string>;
  malformedPushed: number;
}

export function newLedger(): Ledger {
  return { accepted: new Map(), refused: new Set(), malformedPushed: 0 };
}

/** Enqueues like a careful caller: what was not enqueued is re-sent with the same ids, sometimes. */
export async function send(
  writer: AnyWriter,
  ledger: Ledger,
  random: SeededRandom,
  commands: AnyEnvelope[],
  options: EnqueueOptions = {},
): Promise<void> {
  try {
    await writer.enqueue(commands, options);
    for (const c of commands) {
      ledger.accepted.set(c.commandId, c);
      ledger.refused.delete(c.commandId);
    }
  } catch (error) {
    if (!(error instanceof EnqueueError)) throw error;
    const byId = new Map(commands.map((c) => [c.commandId, c]));
    for (const id of error.enqueued) {
      ledger.accepted.set(id, byId.get(id)!);
      ledger.refused.delete(id);
    }
    const retry = error.notEnqueued.filter((id) => !ledger.accepted.has(id));
    for (const id of retry) ledger.refused.add(id);
    if (retry.length > 0 && random.chance(0.6))
      await send(
        writer,
        ledger,
        random,
        retry.map((id) => byId.get(id)!),
        options,
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
