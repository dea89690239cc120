// The cost invariant "settled-work-ends": a consumer delivery of an event whose commands were all
// settled before it began, and into which the runtime injected no fault, must end at once: in
// success, having stored nothing (reading the receipts is all it needs; a conditioned write that
// storage refuses changes nothing, and the dead-letter path tries one first). Redelivered settled events (duplicates, redeliveries after a crash that followed the
// commit) are common; a consumer that retries them burns reads, failed transactions and hours of
// retries, though no safety invariant sees it. See docs/simulation.md#invariants.
import type { ConsumerDelivery, LocalForgeRuntime } from '../local-runtime/index.js';
import type { AnyWriter, ReceiptRecord } from '../src/shared/writer/index.js';
import type { Violation } from './invariants.js';

/**
 * Settled for this event, written apart from the writer's own rule so that a mutant of that rule
 * cannot move the invariant with it: applied or rejected, or dead-lettered unless the event is a
 * replay (a replay exists to apply dead letters).
 */
function settledFor(receipt: ReceiptRecord | undefined, replay: boolean): boolean {
  if (!receipt) return false;
  if (receipt.status === 'applied' || receipt.status === 'rejected') return true;
  return receipt.status === 'dead-lettered' && !replay;
}

/** The command ids of a command event's body; undefined for anything else (malformed bodies included). */
function commandIds(body: Record<string, unknown>): string[] | undefined {
  const { v, commands } = body;
  if (v !== 1 || !Array.isArray(commands) || commands.length === 0) return undefined;
  const ids: string[] = [];
  for (const command of commands as unknown[]) {
    const id = (command as { commandId?: unknown } | null)?.commandId;
    if (typeof id !== 'string' || id === '') return undefined;
    ids.push(id);
  }
  return ids;
}

/** Watches every consumer delivery of the run; returns what broke the invariant so far. */
export function watchSettledWork(rt: LocalForgeRuntime, writer: AnyWriter, seed: number): () => Violation[] {
  const violations: Violation[] = [];
  rt.events.onDelivery((delivery: ConsumerDelivery) => {
    // Only unforced waste counts: a fault injected anywhere in the invocation excuses it.
    if (delivery.faults.count > 0) return;
    if (delivery.outcome === 'success' && delivery.kvs.writesApplied === 0) return;
    const ids = commandIds(delivery.body);
    if (!ids) return;
    const replay = delivery.body.replay === true;
    const receipts = ids.map(
      (id) => rt.storage.getEntity(writer.config.entities.receipt, id) as ReceiptRecord | undefined,
    );
    const settledBefore = receipts.every((r) => settledFor(r, replay) && r!.settledAt < delivery.startedAt);
    if (!settledBefore) return;
    violations.push({
      seed,
      invariant: 'settled-work-ends',
      detail:
        `${delivery.duplicate ? 'duplicate delivery' : 'delivery'} of ${replay ? 'replay ' : ''}event ${delivery.eventId} ` +
        `(retryCount ${delivery.retryCount}) began at ${delivery.startedAt} ms with every command settled ` +
        `(${receipts.map((r) => `${r!.commandId} ${r!.status} at ${r!.settledAt} ms`).join(', ')}), ` +
        `met no injected fault, and ended in ${delivery.outcome} at ${delivery.endedAt} ms ` +
        `after ${delivery.kvs.reads} KVS reads and ${delivery.kvs.writes} writes (${delivery.kvs.writesApplied} applied)`,
    });
  });
  return () => violations;
}
