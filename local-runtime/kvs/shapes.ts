// Narrowing helpers for request bodies: a body of the wrong shape is a 400 `BAD_REQUEST`, never a crash.
import { KvsError } from './kvs-errors.js';

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, what: string): JsonRecord {
  if (!isRecord(value)) throw new KvsError('BAD_REQUEST', `${what} must be an object`);
  return value;
}

export function optionalRecord(value: unknown, what: string): JsonRecord | undefined {
  return value === undefined || value === null ? undefined : record(value, what);
}

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new KvsError('BAD_REQUEST', `${what} must be an array`);
  return value;
}

export function optionalList(value: unknown, what: string): unknown[] | undefined {
  return value === undefined || value === null ? undefined : list(value, what);
}

export function string(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new KvsError('BAD_REQUEST', `${what} must be a string`);
  return value;
}

export function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : string(value, what);
}

/** The `value` of a set: JSON drops `undefined`, so a missing value is a malformed request. */
export function presentValue(body: JsonRecord, what = 'value'): unknown {
  if (!('value' in body) || body.value === undefined) throw new KvsError('BAD_REQUEST', `${what} is missing`);
  return body.value;
}
