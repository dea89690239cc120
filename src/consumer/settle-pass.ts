// One pass over an issue's pending commands: applies them in order with the pure reducer and cuts
// the outcome into commit chunks that fit one transaction each (Forge: at most 25 operations,
// here one state operation plus up to 24 receipts).
import type { CommandEnvelope } from '../shared/command-envelope';
import { applyCommand } from '../shared/reducer';
import type { IssueRecord, ReceiptRecord } from '../shared/storage-layout';

export const TRANSACTION_LIMIT = 25;
export const RECEIPTS_PER_CHUNK = TRANSACTION_LIMIT - 1;

export interface CommitChunk {
  issueId: string;
  /** The version the stored record must still have (0: no record yet). */
  expectedVersion: number;
  /** The record to write, or undefined when every command in the chunk was refused (check only). */
  record?: IssueRecord;
  receipts: ReceiptRecord[];
}

/** A deterministic order for one pass, so a retry re-applies the same way. */
export function passOrder(a: CommandEnvelope, b: CommandEnvelope): number {
  return a.issuedAt - b.issuedAt || (a.commandId < b.commandId ? -1 : a.commandId > b.commandId ? 1 : 0);
}

export function settlePass(loaded: IssueRecord, commands: CommandEnvelope[], now: number): CommitChunk[] {
  const chunks: CommitChunk[] = [];
  let state = loaded.state;
  let version = loaded.version;
  let chunkStart = version;
  let receipts: ReceiptRecord[] = [];
  const close = () => {
    chunks.push({
      issueId: loaded.issueId,
      expectedVersion: chunkStart,
      record: version > chunkStart ? { issueId: loaded.issueId, version, updatedAt: now, state } : undefined,
      receipts,
    });
    chunkStart = version;
    receipts = [];
  };
  for (const cmd of [...commands].sort(passOrder)) {
    const result = applyCommand(state, cmd, version);
    if (result.ok) {
      state = result.state;
      version += 1;
    }
    receipts.push({
      commandId: cmd.commandId,
      issueId: cmd.issueId,
      status: result.ok ? 'applied' : 'rejected',
      version,
      reason: result.ok ? '' : result.reason,
      settledAt: now,
    });
    if (receipts.length === RECEIPTS_PER_CHUNK) close();
  }
  if (receipts.length > 0) close();
  return chunks;
}
