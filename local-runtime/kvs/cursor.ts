// Opaque query cursors: base64url JSON naming the last item returned and the query it belongs to,
// so a page boundary survives writes between pages and a cursor can't be replayed on another query.
import { KvsError } from './kvs-errors.js';
import { isRecord, type JsonRecord } from './shapes.js';

export function encodeCursor(payload: JsonRecord): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The cursor's payload; a 400 `INVALID_CURSOR` unless it was made for `query`. */
export function decodeCursor(cursor: string, query: string): JsonRecord {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new KvsError('INVALID_CURSOR');
  }
  if (!isRecord(payload) || payload.q !== query) throw new KvsError('INVALID_CURSOR');
  return payload;
}
