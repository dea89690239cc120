// What became of commands, read from their receipts: one storage request for up to 25 ids.
import { kvs } from '@forge/kvs';
import type { WriterLayout } from './definition';
import { WriterError } from './errors';
import { BATCH_LIMIT } from './state-store';
import { isStorageKey, partitionOf, type CommandStatus, type ReceiptRecord } from './storage-layout';

export const MAX_STATUS_IDS = BATCH_LIMIT;

export interface CommandOutcome {
  commandId: string;
  /** `pending` until the consumer settles it (an id never enqueued also reads as pending). */
  status: CommandStatus;
  version?: number;
  reason?: string;
  settledAt?: number;
}

export interface ReadStatusesOptions {
  /**
   * Only receipts of this partition are reported; another partition's command reads as `pending`,
   * exactly like an id never enqueued, so a caller learns nothing about partitions it did not name.
   */
  partitionId?: string;
}

export async function readStatuses(
  config: WriterLayout,
  commandIds: readonly string[],
  options: ReadStatusesOptions = {},
): Promise<CommandOutcome[]> {
  const ids = [...new Set(commandIds)];
  if (ids.length === 0) return [];
  if (ids.length > MAX_STATUS_IDS)
    throw new WriterError('too-many-ids', `ask for at most ${MAX_STATUS_IDS} command ids at once`);
  const invalid = ids.find((id) => !isStorageKey(id));
  if (invalid !== undefined)
    throw new WriterError('invalid-id', `${JSON.stringify(invalid.slice(0, 100))} cannot be a command id`);
  const result = await kvs.batchGet<ReceiptRecord>(
    ids.map((key) => ({ key, entityName: config.entities.receipt })),
  );
  const failed = result.failedKeys.filter((f) => f.error.code !== 'KEY_NOT_FOUND');
  if (failed.length > 0)
    throw new WriterError('storage-unavailable', `reading receipts failed: ${failed[0]!.error.message}`);
  const found = new Map(result.successfulKeys.map((item) => [item.key, item.value]));
  return ids.map((commandId) => {
    const receipt = found.get(commandId);
    if (
      !receipt ||
      receipt.status === 'pending' ||
      (options.partitionId !== undefined && partitionOf(config, receipt) !== options.partitionId)
    )
      return { commandId, status: 'pending' };
    return {
      commandId,
      status: receipt.status,
      version: receipt.version,
      ...(receipt.reason ? { reason: receipt.reason } : {}),
      settledAt: receipt.settledAt,
    };
  });
}
