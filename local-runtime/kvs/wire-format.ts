// How stored items look on the wire (`GetResponse`, `SetResponse`, query `data`, batch results).
import type { StoredItem } from './backend.js';
import { formatExpireTime } from './ttl.js';

export const METADATA_FIELDS = ['CREATED_AT', 'UPDATED_AT', 'EXPIRE_TIME'] as const;
export type MetadataField = (typeof METADATA_FIELDS)[number];

/**
 * `createdAt` / `updatedAt` on the wire. The unit is UNCONFIRMED: the package's own tests use
 * Unix seconds (1718236800), so the local runtime answers seconds; change it here only.
 */
export function wireTimestamp(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Every field; `@forge/kvs` picks the ones the caller asked for (get, set with returnValue). */
export function fullItem(item: StoredItem): Record<string, unknown> {
  return {
    key: item.key,
    value: item.value,
    createdAt: wireTimestamp(item.createdAt),
    updatedAt: wireTimestamp(item.updatedAt),
    ...(item.expiresAt !== undefined ? { expireTime: formatExpireTime(item.expiresAt) } : {}),
  };
}

/** For lists the client passes through as is (query, batch get): asked-for metadata, and expireTime when set. */
export function listedItem(
  item: StoredItem,
  fields: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    key: item.key,
    ...extra,
    value: item.value,
    ...(fields.includes('CREATED_AT') ? { createdAt: wireTimestamp(item.createdAt) } : {}),
    ...(fields.includes('UPDATED_AT') ? { updatedAt: wireTimestamp(item.updatedAt) } : {}),
    ...(item.expiresAt !== undefined ? { expireTime: formatExpireTime(item.expiresAt) } : {}),
  };
}

/** `options.metadataFields` of a request, ignoring anything that isn't a list of strings. */
export function metadataFields(options: unknown): string[] {
  if (typeof options !== 'object' || options === null || !('metadataFields' in options)) return [];
  const fields = options.metadataFields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}
