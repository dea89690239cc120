// For the writer's tests: storage answers a batch read with some keys failed, each with an error
// of its own (not missing: unread), while the other keys are read as stored. Every
// `kvs.batchGet()` of the code under test goes through it; `vi.restoreAllMocks()` undoes it.
import { kvs } from '@forge/kvs';
import { vi } from 'vitest';

/** Batch reads answer each of `keys` as failed with `error`; the spy records every read. */
export function failBatchReads(keys: readonly string[], error: { code: string; message: string }) {
  const batchGet = kvs.batchGet.bind(kvs);
  return vi.spyOn(kvs, 'batchGet').mockImplementation(async (items) => {
    const failing = items.filter((item) => keys.includes(item.key));
    const rest = items.filter((item) => !keys.includes(item.key));
    const read = rest.length > 0 ? await batchGet(rest) : { successfulKeys: [], failedKeys: [] };
    return {
      successfulKeys: read.successfulKeys,
      failedKeys: [...read.failedKeys, ...failing.map((item) => ({ ...item, error }))],
    };
  });
}
