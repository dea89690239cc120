// `kvs.entity(name).query().index(...)`: an index from the manifest selects items whose partition
// attributes equal the given values and that have the range attribute; a range condition and
// filters narrow them; they come sorted by range value (then key), a page at a time.
// Whether filters apply before or after the page limit is the platform profile's answer
// (`filteredPage`; after it by default, as the docs say).
import type { EntityDefinition, EntityIndex } from '../manifest/app-manifest.js';
import type { StoredItem } from './backend.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  compareIndexValues,
  evaluateClause,
  evaluateTree,
  isScalar,
  parseClause,
  parseFilterTree,
  RANGE_CONDITIONS,
  type Clause,
  type FilterTree,
  type Scalar,
} from './filters.js';
import { KvsError } from './kvs-errors.js';
import type { KvsStore } from './kvs-store.js';
import { pageLimit } from './page-limit.js';
import { filteredPage } from './platform-profile.js';
import { isRecord, optionalList, optionalString, string, type JsonRecord } from './shapes.js';
import { attributeOf, matchesType } from './validation.js';

export interface EntityQueryPage {
  entity: string;
  index: string;
  items: StoredItem[];
  cursor?: string;
}

interface IndexedItem {
  item: StoredItem;
  range: Scalar;
}

export function queryEntity(store: KvsStore, body: JsonRecord): EntityQueryPage {
  const entity = store.entity(string(body.entityName, 'entityName'));
  const index = findIndex(entity, string(body.indexName, 'indexName'));
  const partition = parsePartition(entity, index, optionalList(body.partition, 'partition'));
  const rangeAttribute = index.range[0]!;
  const range = body.range === undefined || body.range === null ? undefined : parseRange(body.range);
  const filters: FilterTree | undefined =
    body.filters === undefined || body.filters === null ? undefined : parseFilterTree(body.filters, entity);
  const sort = body.sort ?? 'ASC';
  if (sort !== 'ASC' && sort !== 'DESC') throw new KvsError('INVALID_SORT');
  const limit = pageLimit(body.limit, store.platform.defaultPageSize);
  const fingerprint = JSON.stringify([entity.name, index.name, partition, sort]);
  const cursorText = optionalString(body.cursor, 'cursor');
  const position =
    cursorText !== undefined ? cursorPosition(decodeCursor(cursorText, fingerprint)) : undefined;

  const selected: IndexedItem[] = [];
  const inPartition = (value: unknown) =>
    isRecord(value) &&
    index.partition.every((attribute, i) => attributeOf(value, attribute) === partition[i]);
  for (const item of store.list({ kind: 'entity', entity: entity.name }, { where: inPartition })) {
    const value = isRecord(item.value) ? item.value : undefined;
    const rangeValue = attributeOf(value, rangeAttribute);
    if (!isScalar(rangeValue)) continue; // items without the range attribute are not in the index
    if (!index.partition.every((attribute, i) => attributeOf(value, attribute) === partition[i])) continue;
    if (range && !evaluateClause(range, rangeValue)) continue;
    selected.push({ item, range: rangeValue });
  }
  const direction = sort === 'ASC' ? 1 : -1;
  const order = (a: { range: Scalar; key: string }, b: { range: Scalar; key: string }) =>
    direction * (compareIndexValues(a.range, b.range) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const sorted = selected.map((s) => ({ ...s, key: s.item.key })).sort(order);
  const start = position ? sorted.findIndex((s) => order(s, position) > 0) : 0;
  const rest = start < 0 ? [] : sorted.slice(start);
  const { page, resumeAfter } = filteredPage(
    store.platform,
    rest,
    limit,
    filters ? (s) => evaluateTree(filters, isRecord(s.item.value) ? s.item.value : undefined) : undefined,
  );
  return {
    entity: entity.name,
    index: index.name,
    items: page.map((p) => p.item),
    ...(resumeAfter
      ? { cursor: encodeCursor({ q: fingerprint, r: resumeAfter.range, k: resumeAfter.key }) }
      : {}),
  };
}

function findIndex(entity: EntityDefinition, name: string): EntityIndex {
  const index = entity.indexes.find((i) => i.name === name);
  if (!index) {
    throw new KvsError('UNKNOWN_INDEX', `'${entity.name}' has no index '${name}'`, {
      entityName: entity.name,
      indexName: name,
      indexes: entity.indexes.map((i) => i.name),
    });
  }
  return index;
}

function parsePartition(entity: EntityDefinition, index: EntityIndex, raw: unknown[] | undefined): Scalar[] {
  const values = raw ?? [];
  if (values.length !== index.partition.length) {
    throw new KvsError(
      'INVALID_PARTITION',
      `Index '${index.name}' needs ${index.partition.length} partition value(s) (${index.partition.join(', ')}), got ${values.length}`,
    );
  }
  return index.partition.map((attribute, i) => {
    const value = values[i];
    const type = entity.attributes[attribute];
    if (!type || !isScalar(value) || !matchesType(type, value)) {
      throw new KvsError(
        'INVALID_PARTITION',
        `Partition value for '${attribute}' must be of type ${String(type)}`,
      );
    }
    return value;
  });
}

function parseRange(raw: unknown): Clause {
  if (!isRecord(raw)) throw new KvsError('BAD_REQUEST', 'range must be an object');
  return parseClause(raw, RANGE_CONDITIONS);
}

function cursorPosition(payload: JsonRecord): { range: Scalar; key: string } {
  const { r, k } = payload;
  if (!isScalar(r) || typeof k !== 'string') throw new KvsError('INVALID_CURSOR');
  return { range: r, key: k };
}
