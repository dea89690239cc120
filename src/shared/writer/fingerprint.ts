// A short hash of what a command does (its type, payload and partition), stored on its receipt and
// on id claims, so a retry of the same command is told apart from a different command that reuses
// its id: the first is harmless, the second must be refused, never silently dropped.
import { createHash } from 'node:crypto';
import type { WriterLayout } from './definition';
import type { AnyEnvelope } from './envelope';
import { partitionOf } from './storage-layout';

/** 64 bits of SHA-256: collisions between two commands reusing one id are not a practical concern. */
const HEX_CHARS = 16;

export function fingerprintOf(config: Pick<WriterLayout, 'idField'>, envelope: AnyEnvelope): string {
  const { type, payload } = envelope as AnyEnvelope & { payload?: unknown };
  const content = canonicalJson({ type, payload: payload ?? null, partition: partitionOf(config, envelope) });
  return createHash('sha256').update(content).digest('hex').slice(0, HEX_CHARS);
}

/** JSON with object keys sorted, so equal content hashes equally whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    // The default sort compares UTF-16 code units, as `<` on strings does.
    const keys = Object.keys(object)
      .filter((key) => object[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`;
  }
  // Only `undefined` inside a list is left here unserialisable: JSON writes it as null.
  return JSON.stringify(value) ?? 'null';
}
