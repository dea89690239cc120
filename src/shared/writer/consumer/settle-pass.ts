// One pass over a partition's pending commands: applies them in order and cuts the outcome into
// commit chunks that fit one transaction each (the record plus up to 24 receipts).
import { applyEnvelope } from '../apply';
import type { WriterConfig } from '../definition';
import type { AnyEnvelope } from '../envelope';
import { fingerprintOf } from '../fingerprint';
import type { ReceiptRecord, StateRecord } from '../storage-layout';
import { TRANSACTION_LIMIT, type CommitChunk, type Expected } from './commit';

export const RECEIPTS_PER_CHUNK = TRANSACTION_LIMIT - 1;

/** A deterministic order for one pass, so a retry re-applies the same way. */
export function passOrder(a: AnyEnvelope, b: AnyEnvelope): number {
  return a.issuedAt - b.issuedAt || (a.commandId < b.commandId ? -1 : a.commandId > b.commandId ? 1 : 0);
}

export function settlePass<S>(
  config: WriterConfig<S>,
  partitionId: string,
  loaded: StateRecord<S>,
  stored: boolean,
  commands: readonly AnyEnvelope[],
  now: number,
): CommitChunk<S>[] {
  const chunks: CommitChunk<S>[] = [];
  let state = loaded.state;
  let version = loaded.version;
  let expected: Expected = stored ? { version: loaded.version, updatedAt: loaded.updatedAt } : 'absent';
  let updatedAt = loaded.updatedAt;
  let receipts: ReceiptRecord[] = [];
  const close = () => {
    // Strictly later than the record it replaces, even within one millisecond.
    updatedAt = Math.max(now, updatedAt + 1);
    const record: StateRecord<S> = { [config.idField]: partitionId, version, updatedAt, state };
    chunks.push({ partitionId, expected, record, receipts });
    expected = { version, updatedAt };
    receipts = [];
  };
  for (const cmd of [...commands].sort(passOrder)) {
    const result = applyEnvelope(config, state, cmd, version);
    if (result.ok) {
      state = result.state;
      version += 1;
    }
    receipts.push({
      commandId: cmd.commandId,
      [config.idField]: partitionId,
      status: result.ok ? 'applied' : 'rejected',
      version,
      ...(result.ok ? {} : { reason: result.reason }),
      settledAt: now,
      fingerprint: fingerprintOf(config, cmd),
    });
    if (receipts.length === RECEIPTS_PER_CHUNK) close();
  }
  if (receipts.length > 0) close();
  return chunks;
}
