// Page size of `query` and `entity().query()`: 1..100; without a limit, the platform profile's
// default page size (10, as the docs say: platform-profile.ts).
import { KvsError } from './kvs-errors.js';

export const MAX_PAGE_LIMIT = 100;

export function pageLimit(raw: unknown, defaultPageSize: number): number {
  if (raw === undefined || raw === null) return defaultPageSize;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_PAGE_LIMIT) {
    throw new KvsError(
      'COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE',
      `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${String(raw)}`,
    );
  }
  return raw;
}
