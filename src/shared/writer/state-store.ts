// Reads state records and receipts. One storage request however many partitions: a single `get`,
// or a `batchGet` of up to 25 keys (Forge's batch limit) per request.
import { kvs } from '@forge/kvs';
import type { WriterConfig } from './definition';
import { WriterError } from './errors';
import { emptyStateRecord, type ReceiptRecord, type StateRecord } from './storage-layout';

export const BATCH_LIMIT = 25;

export async function loadState<S>(config: WriterConfig<S>, id: string): Promise<StateRecord<S>> {
  return (await kvs.entity<StateRecord<S>>(config.entities.state).get(id)) ?? emptyStateRecord(config, id);
}

export interface Loaded<S> {
  /** Every partition asked for; one with no stored record reads as its empty record... */
  states: Map<string, StateRecord<S>>;
  /** ...and is listed here. */
  missing: Set<string>;
  receipts: Map<string, ReceiptRecord>;
}

/** Loads states and receipts in as few storage requests as the batch limit allows. */
export async function loadStatesAndReceipts<S>(
  config: WriterConfig<S>,
  ids: readonly string[],
  commandIds: readonly string[] = [],
): Promise<Loaded<S>> {
  const states = new Map<string, StateRecord<S>>();
  const receipts = new Map<string, ReceiptRecord>();
  const keys = [
    ...ids.map((key) => ({ key, entityName: config.entities.state })),
    ...commandIds.map((key) => ({ key, entityName: config.entities.receipt })),
  ];
  if (keys.length === 1 && ids.length === 1) {
    const stored = await kvs.entity<StateRecord<S>>(config.entities.state).get(ids[0]!);
    if (stored) states.set(ids[0]!, stored);
  } else {
    for (let i = 0; i < keys.length; i += BATCH_LIMIT) {
      const result = await kvs.batchGet<StateRecord<S> | ReceiptRecord>(keys.slice(i, i + BATCH_LIMIT));
      const failed = result.failedKeys.filter((f) => f.error.code !== 'KEY_NOT_FOUND');
      if (failed.length > 0) {
        throw new WriterError(
          'storage-unavailable',
          `batch read failed for ${failed.length} key(s): ${failed[0]!.error.message}`,
        );
      }
      for (const item of result.successfulKeys) {
        if (item.entityName === config.entities.state) states.set(item.key, item.value as StateRecord<S>);
        else receipts.set(item.key, item.value as ReceiptRecord);
      }
    }
  }
  const missing = new Set(ids.filter((id) => !states.has(id)));
  for (const id of missing) states.set(id, emptyStateRecord(config, id));
  return { states, missing, receipts };
}
