// Conditions over entity attributes: the range condition of a query (`WhereConditions`), query
// filters, and transaction conditions (`FilterConditions` in `and` / `or` trees).
import type { EntityDefinition } from '../manifest/app-manifest.js';
import { compareKeys } from './backend.js';
import { KvsError } from './kvs-errors.js';
import { isRecord, type JsonRecord } from './shapes.js';
import { attributeOf, attributeType } from './validation.js';

export const FILTER_CONDITIONS = [
  'EQUAL_TO',
  'NOT_EQUAL_TO',
  'EXISTS',
  'NOT_EXISTS',
  'LESS_THAN',
  'LESS_THAN_EQUAL_TO',
  'GREATER_THAN',
  'GREATER_THAN_EQUAL_TO',
  'BETWEEN',
  'BEGINS_WITH',
  'CONTAINS',
  'NOT_CONTAINS',
] as const;
export type ConditionName = (typeof FILTER_CONDITIONS)[number];

/** The conditions `WhereConditions` offers for an index's range attribute. */
export const RANGE_CONDITIONS: readonly ConditionName[] = [
  'EQUAL_TO',
  'LESS_THAN',
  'LESS_THAN_EQUAL_TO',
  'GREATER_THAN',
  'GREATER_THAN_EQUAL_TO',
  'BETWEEN',
  'BEGINS_WITH',
];

export type Scalar = string | number | boolean;

export interface Clause {
  condition: ConditionName;
  values: Scalar[];
}

export interface FilterLeaf {
  property: string;
  clause: Clause;
}

export interface FilterTree {
  op: 'and' | 'or';
  items: Array<FilterLeaf | FilterTree>;
}

/** How many values each condition needs (the client sends `[true]` for EXISTS, which is ignored). */
function valuesNeeded(condition: ConditionName): number {
  if (condition === 'BETWEEN') return 2;
  if (condition === 'EXISTS' || condition === 'NOT_EXISTS') return 0;
  return 1;
}

export function isScalar(value: unknown): value is Scalar {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** Reads `{ condition, values }`; `allowed` narrows the conditions (range conditions). */
export function parseClause(raw: JsonRecord, allowed: readonly ConditionName[] = FILTER_CONDITIONS): Clause {
  const condition = raw.condition;
  if (typeof condition !== 'string' || !(FILTER_CONDITIONS as readonly string[]).includes(condition)) {
    throw new KvsError('INVALID_FILTER_CONDITION', `Unknown condition '${String(condition)}'`);
  }
  const name = condition as ConditionName;
  if (!allowed.includes(name))
    throw new KvsError('INVALID_RANGE_CONDITION', `'${name}' can't be a range condition`);
  const rawValues = raw.values;
  const values = Array.isArray(rawValues) ? rawValues : [];
  const needed = valuesNeeded(name);
  if (values.length < needed) {
    throw new KvsError(
      'INSUFFICIENT_FILTER_VALUES',
      `${name} needs ${needed} value(s), got ${values.length}`,
    );
  }
  const used = values.slice(0, needed);
  if (!used.every(isScalar))
    throw new KvsError('INVALID_FILTER_CONDITION', `${name} takes strings, numbers or booleans`);
  return { condition: name, values: used };
}

/** Reads an `{ and: [...] }` or `{ or: [...] }` tree over `entity`'s attributes. */
export function parseFilterTree(raw: unknown, entity: EntityDefinition): FilterTree {
  if (!isRecord(raw)) throw new KvsError('BAD_REQUEST', 'filters / conditions must be an object');
  const hasAnd = raw.and !== undefined && raw.and !== null;
  const hasOr = raw.or !== undefined && raw.or !== null;
  if (hasAnd && hasOr) throw new KvsError('INVALID_FILTER_OPERATORS_COMBINATION');
  const op = hasAnd ? 'and' : hasOr ? 'or' : undefined;
  const items = op ? raw[op] : undefined;
  if (!op || !Array.isArray(items) || items.length === 0) throw new KvsError('EMPTY_FILTER_OPERATOR');
  return {
    op,
    items: items.map((item): FilterLeaf | FilterTree => {
      if (!isRecord(item)) throw new KvsError('BAD_REQUEST', 'Each filter must be an object');
      // A nested `{ and }` / `{ or }` node; the client builds flat lists, the wire allows trees.
      if (item.property === undefined && ('and' in item || 'or' in item))
        return parseFilterTree(item, entity);
      return parseLeaf(item, entity);
    }),
  };
}

function parseLeaf(item: JsonRecord, entity: EntityDefinition): FilterLeaf {
  const property = item.property;
  if (typeof property !== 'string' || property === '')
    throw new KvsError('BAD_REQUEST', 'A filter needs a property');
  const type = attributeType(entity, property);
  if (!type) {
    throw new KvsError('INVALID_FILTER_ATTRIBUTE', `'${entity.name}' has no attribute '${property}'`, {
      property,
    });
  }
  if (type === 'any') {
    throw new KvsError('FILTER_ON_ANY_ATTRIBUTE', `'${entity.name}.${property}' is of type any`, {
      property,
    });
  }
  return { property, clause: parseClause(item) };
}

/** Orders scalars of one type; `undefined` when they can't be compared (different types). */
export function compareScalars(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareKeys(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return undefined;
}

/** A total order for sorting index values of mixed type: numbers, then strings, then booleans. */
export function compareIndexValues(a: Scalar, b: Scalar): number {
  const rank = (v: Scalar) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  return compareScalars(a, b) ?? rank(a) - rank(b);
}

export function evaluateClause(clause: Clause, actual: unknown): boolean {
  const [first, second] = clause.values;
  const cmp = (v: Scalar | undefined) => (actual === undefined ? undefined : compareScalars(actual, v));
  switch (clause.condition) {
    case 'EXISTS':
      return actual !== undefined;
    case 'NOT_EXISTS':
      return actual === undefined;
    case 'EQUAL_TO':
      return cmp(first) === 0;
    case 'NOT_EQUAL_TO':
      return cmp(first) !== 0;
    case 'LESS_THAN':
      return (cmp(first) ?? 0) < 0;
    case 'LESS_THAN_EQUAL_TO': {
      const c = cmp(first);
      return c !== undefined && c <= 0;
    }
    case 'GREATER_THAN':
      return (cmp(first) ?? 0) > 0;
    case 'GREATER_THAN_EQUAL_TO': {
      const c = cmp(first);
      return c !== undefined && c >= 0;
    }
    case 'BETWEEN': {
      const low = cmp(first);
      const high = cmp(second);
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'BEGINS_WITH':
      return typeof actual === 'string' && actual.startsWith(String(first));
    case 'CONTAINS':
      return typeof actual === 'string' && actual.includes(String(first));
    case 'NOT_CONTAINS':
      return !(typeof actual === 'string' && actual.includes(String(first)));
  }
}

/** Does an entity value (or an absent item, `undefined`) satisfy the tree? */
export function evaluateTree(tree: FilterTree, value: JsonRecord | undefined): boolean {
  const test = (item: FilterLeaf | FilterTree): boolean =>
    'op' in item ? evaluateTree(item, value) : evaluateClause(item.clause, attributeOf(value, item.property));
  return tree.op === 'and' ? tree.items.every(test) : tree.items.some(test);
}
