// Coalescing: a hot partition drains everything pending in one consumer run, instead of one event
// per turn. With the concurrency key on (the default), Forge runs one event per partition at a
// time and holds the others back, with its own backoff (seconds, growing), so a burst of single
// commands would otherwise drain one event every few seconds.
//
// `enqueue` deposits the command of a single-command per-partition event as a `pending` receipt (after the
// push, FAIL_IF_EXISTS, so it never covers a settled receipt). A consumer run on a partition that
// committed recently queries the partition's deposits and applies them with its own commands, in
// as few transactions as the limits allow, then polls for more while they keep coming. The events
// stay the guarantee: a deposit the query misses (queries are eventually consistent) is applied
// when its own event runs, and an event whose command a drain already applied finds its receipt
// and is done in one read. Measured in docs/benchmark.md; the defaults come from that data.
import { kvs, Sort, WhereConditions } from '@forge/kvs';
import type { WriterLayout } from './definition';
import type { AnyEnvelope } from './envelope';
import { fingerprintOf } from './fingerprint';
import { partitionOf, RECEIPT_TTL, type ReceiptRecord } from './storage-layout';

/**
 * Only single-command events deposit: a bigger event is a batch already, and a deposit costs one
 * write per command whether or not the partition turns out to be busy.
 */
export const DEPOSIT_MAX_COMMANDS = 1;
/** A partition committed to this recently is hot: its consumer looks for deposits. */
export const HOT_WINDOW_MS = 60_000;
/** After draining, the consumer looks again this often while deposits keep coming... */
export const DRAIN_POLL_MS = 250;
/** ...until this many looks in a row find nothing... */
export const DRAIN_IDLE_POLLS = 2;
/** ...for at most this long, holding the partition's concurrency slot. */
export const DRAIN_BUDGET_MS = 5_000;
/** Deposits taken into one pass. */
export const DRAIN_BATCH = 240;

/** Writes the deposits; best effort (a failed one is applied by its own event), in parallel. */
export async function deposit(config: WriterLayout, envelopes: readonly AnyEnvelope[]): Promise<number> {
  const now = Date.now();
  const written = await Promise.all(
    envelopes.map(async (envelope) => {
      const receipt: ReceiptRecord = {
        commandId: envelope.commandId,
        [config.idField]: partitionOf(config, envelope),
        status: 'pending',
        version: 0,
        settledAt: now,
        fingerprint: fingerprintOf(config, envelope),
        envelope,
      };
      try {
        await kvs
          .entity<ReceiptRecord>(config.entities.receipt)
          .set(envelope.commandId, receipt, { keyPolicy: 'FAIL_IF_EXISTS', ttl: RECEIPT_TTL });
        return true;
      } catch {
        return false; // settled already, or storage trouble: the event carries the command anyway
      }
    }),
  );
  return written.filter(Boolean).length;
}

/** Up to `limit` of a partition's deposits, oldest first (one query per 100). */
export async function loadDeposits(
  config: WriterLayout,
  partitionId: string,
  limit: number,
): Promise<AnyEnvelope[]> {
  const found: AnyEnvelope[] = [];
  let cursor: string | undefined;
  do {
    let query = kvs
      .entity<ReceiptRecord>(config.entities.receipt)
      .query()
      .index(`${config.receiptIndex}-status`, { partition: [partitionId, 'pending'] })
      .where(WhereConditions.greaterThanEqualTo(0))
      .sort(Sort.ASC)
      .limit(Math.min(100, limit - found.length));
    if (cursor) query = query.cursor(cursor);
    const page = await query.getMany();
    for (const { value } of page.results) {
      // Read as the consumer reads any envelope: one that does not parse is left to its event.
      const parsed = value.envelope ? config.envelope.parse(value.envelope) : undefined;
      if (value.status === 'pending' && parsed?.ok) found.push(parsed.envelope);
    }
    cursor = page.nextCursor;
  } while (cursor && found.length < limit);
  return found;
}
