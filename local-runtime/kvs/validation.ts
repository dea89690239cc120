// Forge's limits on keys, values and entity values (docs: limits-kvs-ce, storage-reference/entities),
// checked before any write.
import type { AttributeType, EntityDefinition } from '../manifest/app-manifest.js';
import { KvsError } from './kvs-errors.js';
import { isRecord } from './shapes.js';

export const MAX_KEY_LENGTH = 500;
export const KEY_PATTERN = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]+$/;
/** 240 KiB of JSON. */
export const MAX_VALUE_BYTES = 240 * 1024;
export const MAX_VALUE_DEPTH = 31;
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/**
 * The smallest and largest magnitude of a non-zero `float` attribute (docs: storage-reference/
 * entities, "The value must either be 0, or fall within [...] 1E-130 to
 * 9.9999999999999999999999999999999999999E+125", both inclusive). That upper bound, 38 digits,
 * is the double 1E126.
 */
export const FLOAT_MIN_MAGNITUDE = 1e-130;
export const FLOAT_MAX_MAGNITUDE = 1e126;

/** Which API a key belongs to: they name an empty key differently. */
export type KeySpace = 'kvs' | 'entity';

/**
 * A key, or a 400. An empty key is `KEY_TOO_SHORT` on the Key-Value Store (plain keys and secrets;
 * docs: handling-errors-kvs) and `EMPTY_KEY` on the Custom Entity Store (handling-errors-customentities).
 */
export function validateKey(key: unknown, space: KeySpace): string {
  if (key === undefined || key === null || key === '')
    throw new KvsError(space === 'entity' ? 'EMPTY_KEY' : 'KEY_TOO_SHORT');
  if (typeof key !== 'string') throw new KvsError('INVALID_KEY', 'The key must be a string');
  if (key.length > MAX_KEY_LENGTH) throw new KvsError('KEY_TOO_LONG');
  if (!KEY_PATTERN.test(key)) throw new KvsError('INVALID_KEY');
  return key;
}

/** Bytes of the value as stored (UTF-8 JSON). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** Nesting depth: a scalar is 0, `{}` or `[]` is 1, `{ a: {} }` is 2. */
export function depthOf(value: unknown): number {
  // Iterative, so a hostile value can't overflow the stack before we refuse it.
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const here = depth + 1;
    if (here > max) max = here;
    if (max > MAX_VALUE_DEPTH) return max;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, here]);
  }
  return max;
}

export function validateValue(value: unknown): void {
  if (depthOf(value) > MAX_VALUE_DEPTH) throw new KvsError('MAX_DEPTH');
  if (jsonBytes(value) > MAX_VALUE_BYTES) throw new KvsError('MAX_SIZE');
}

export function matchesType(type: AttributeType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'any':
      return value !== undefined;
  }
}

/** The declared type of an attribute; own properties only, so `constructor` is no attribute. */
export function attributeType(entity: EntityDefinition, name: string): AttributeType | undefined {
  return Object.hasOwn(entity.attributes, name) ? entity.attributes[name] : undefined;
}

/** An attribute of a stored entity value, `undefined` when absent. */
export function attributeOf(value: Record<string, unknown> | undefined, name: string): unknown {
  return value && Object.hasOwn(value, name) ? value[name] : undefined;
}

/**
 * What is wrong with an attribute's value beyond its type, or `undefined` (docs: storage-reference/
 * entities, "Values"): a string "must not be empty" and "must contain at least one non-whitespace
 * character"; a float is 0 or between 1E-130 and about 1E126 in magnitude; an integer is 32-bit
 * (checked with the type, `matchesType`). Forge answers these with `INVALID_ENTITY_VALUE`.
 */
export function attributeValueProblem(type: AttributeType, value: unknown): string | undefined {
  if (type === 'string' && typeof value === 'string') {
    if (value === '') return 'must not be empty';
    if (!/\S/.test(value)) return 'must contain a non-whitespace character';
  }
  if (type === 'float' && typeof value === 'number' && value !== 0) {
    const magnitude = Math.abs(value);
    if (magnitude < FLOAT_MIN_MAGNITUDE || magnitude > FLOAT_MAX_MAGNITUDE)
      return 'must be 0 or between 1E-130 and 1E126 in magnitude';
  }
  return undefined;
}

/** An entity value is an object whose attributes are all declared, each of its declared type. */
export function validateEntityValue(entity: EntityDefinition, value: unknown): void {
  validateValue(value);
  if (!isRecord(value))
    throw new KvsError('INVALID_ENTITY_VALUE', `A '${entity.name}' value must be an object`);
  for (const [attribute, attributeValue] of Object.entries(value)) {
    const type = attributeType(entity, attribute);
    if (!type) {
      throw new KvsError('INVALID_ENTITY_VALUE', `'${entity.name}' has no attribute '${attribute}'`, {
        attribute,
      });
    }
    if (!matchesType(type, attributeValue)) {
      throw new KvsError('INVALID_ENTITY_VALUE', `'${entity.name}.${attribute}' must be of type ${type}`, {
        attribute,
        type,
      });
    }
    const problem = attributeValueProblem(type, attributeValue);
    if (problem !== undefined) {
      throw new KvsError('INVALID_ENTITY_VALUE', `'${entity.name}.${attribute}' ${problem}`, {
        attribute,
        type,
      });
    }
  }
}
