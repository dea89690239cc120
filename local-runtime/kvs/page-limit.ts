// Page size of `query` and `entity().query()`: 1..100, default 10 (Forge's default is UNCONFIRMED).
import { KvsError } from './kvs-errors.js';

export const DEFAULT_PAGE_LIMIT = 10;
export const MAX_PAGE_LIMIT = 100;

export function pageLimit(raw: unknown): number {
  if (raw === undefined || raw === null) return DEFAULT_PAGE_LIMIT;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_PAGE_LIMIT) {
    throw new KvsError(
      'COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE',
      `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${String(raw)}`,
    );
  }
  return raw;
}
