// One pass over a partition's pending commands: applies them in order and cuts the outcome into
// commit chunks that fit one transaction each (the record plus up to 24 receipts). A command that
// would grow the record past the size limit is refused here, at once, with the sizes in its reason:
// Forge would refuse the write, and retrying would fail the same way for hours.
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

export function recordBytes(record: StateRecord<unknown>): number {
  return Buffer.byteLength(JSON.stringify(record));
}

export function tooLargeReason(config: WriterConfig<unknown>, bytes: number): string {
  return `the ${config.partitionName}'s data would be ${bytes} bytes, over its limit of ${config.limits.maxStateBytes}`;
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
    let result = applyEnvelope(config, state, cmd, version);
    if (result.ok) {
      const bytes = recordBytes({
        [config.idField]: partitionId,
        version: version + 1,
        updatedAt: now,
        state: result.state,
      });
      if (bytes > config.limits.maxStateBytes) result = { ok: false, reason: tooLargeReason(config, bytes) };
    }
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
