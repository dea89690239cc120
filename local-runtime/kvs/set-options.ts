// Options of a single `set` / `setSecret` / `entity().set`: ttl, keyPolicy, returnValue.
import { KvsError } from './kvs-errors.js';
import type { KeyPolicy, PutOptions } from './kvs-store.js';
import { isRecord } from './shapes.js';
import { ttlMs } from './ttl.js';

export interface SetOptions extends PutOptions {
  returnValue?: 'PREVIOUS' | 'LATEST';
}

export function parseSetOptions(raw: unknown): SetOptions {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw new KvsError('INVALID_SET_OPTIONS', 'options must be an object');
  const ttl = ttlMs(raw.ttl);
  const { keyPolicy, returnValue } = raw;
  if (keyPolicy !== undefined && keyPolicy !== 'OVERRIDE' && keyPolicy !== 'FAIL_IF_EXISTS') {
    throw new KvsError('INVALID_SET_OPTIONS', 'keyPolicy must be OVERRIDE or FAIL_IF_EXISTS');
  }
  if (returnValue !== undefined && returnValue !== 'PREVIOUS' && returnValue !== 'LATEST') {
    throw new KvsError('INVALID_SET_OPTIONS', 'returnValue must be PREVIOUS or LATEST');
  }
  if (returnValue !== undefined && keyPolicy !== 'OVERRIDE') {
    throw new KvsError('INVALID_SET_OPTIONS', "returnValue needs keyPolicy 'OVERRIDE'");
  }
  return {
    ...(ttl !== undefined ? { ttlMs: ttl } : {}),
    ...(keyPolicy !== undefined ? { keyPolicy: keyPolicy as KeyPolicy } : {}),
    ...(returnValue !== undefined ? { returnValue } : {}),
  };
}
