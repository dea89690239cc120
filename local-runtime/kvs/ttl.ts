// Time to live of a stored item. Forge may keep serving expired data for up to 48 h; the local
// store keeps it simple and deterministic: an item is gone the moment its expiry passes.
import { KvsError } from './kvs-errors.js';
import { isRecord } from './shapes.js';

const UNIT_MS = { SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 } as const;
export const MAX_TTL_MS = 365 * UNIT_MS.DAYS;

/** Milliseconds of a `{ value, unit }` ttl, or `undefined` when none is given. */
export function ttlMs(ttl: unknown): number | undefined {
  if (ttl === undefined || ttl === null) return undefined;
  if (!isRecord(ttl)) throw new KvsError('INVALID_TTL');
  const { value, unit } = ttl;
  if (typeof unit !== 'string' || !Object.hasOwn(UNIT_MS, unit)) throw new KvsError('INVALID_TTL');
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new KvsError('INVALID_TTL');
  const ms = value * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (ms > MAX_TTL_MS) throw new KvsError('INVALID_TTL', 'ttl is longer than 1 year');
  return ms;
}

export function isLive(expiresAt: number | undefined, now: number): boolean {
  return expiresAt === undefined || expiresAt > now;
}

/** Forge's `expireTime` format: ISO 8601 in UTC without milliseconds. */
export function formatExpireTime(expiresAt: number): string {
  return new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
