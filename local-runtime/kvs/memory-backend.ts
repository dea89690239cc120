// The default backend: plain Maps, gone when the runtime closes. Values are kept as JSON text so
// that what a caller put can never be changed through a reference it still holds. What it reads
// is parsed once per stored version and shared (StoredItem.value: read it, never change it), so
// a record read many times between writes is not parsed each time.
import {
  compareKeys,
  liveAt,
  namespaceId,
  type KvsBackend,
  type ListOptions,
  type Namespace,
  type StoredItem,
} from './backend.js';
import { isLive } from './ttl.js';

interface Row {
  key: string;
  json: string;
  /** `json` parsed once, on the first read: shared by every read until the next write. */
  parsed?: unknown;
  createdAt: number;
  updatedAt: number;
  expiresAt?: number;
}

export class MemoryBackend implements KvsBackend {
  private readonly spaces = new Map<string, Map<string, Row>>();
  /** Undo steps of the running `atomically` call. */
  private journal: Array<() => void> | undefined;

  get(ns: Namespace, key: string, now: number): StoredItem | undefined {
    const row = this.space(ns).get(key);
    if (!row) return undefined;
    const item = toItem(row);
    return liveAt(item, now) ? item : undefined;
  }

  put(ns: Namespace, item: StoredItem): void {
    const space = this.space(ns);
    this.remember(space, item.key);
    space.set(item.key, {
      key: item.key,
      json: JSON.stringify(item.value),
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      ...(item.expiresAt !== undefined ? { expiresAt: item.expiresAt } : {}),
    });
  }

  delete(ns: Namespace, key: string): void {
    const space = this.space(ns);
    this.remember(space, key);
    space.delete(key);
  }

  list(ns: Namespace, now: number, options: ListOptions = {}): StoredItem[] {
    const { prefix, after, limit, where } = options;
    // Select first, then sort and copy only what was selected: index queries scan whole entities.
    const rows: Row[] = [];
    for (const row of this.space(ns).values()) {
      if (prefix !== undefined && !row.key.startsWith(prefix)) continue;
      if (after !== undefined && compareKeys(row.key, after) <= 0) continue;
      if (!isLive(row.expiresAt, now)) continue;
      if (where && !where((row.parsed ??= JSON.parse(row.json) as unknown))) continue;
      rows.push(row);
    }
    rows.sort((a, b) => compareKeys(a.key, b.key));
    return (limit !== undefined ? rows.slice(0, limit) : rows).map(toItem);
  }

  atomically<T>(fn: () => T): T {
    if (this.journal) return fn();
    const journal: Array<() => void> = [];
    this.journal = journal;
    try {
      return fn();
    } catch (error) {
      for (const undo of journal.reverse()) undo();
      throw error;
    } finally {
      this.journal = undefined;
    }
  }

  close(): void {
    this.spaces.clear();
  }

  private space(ns: Namespace): Map<string, Row> {
    const id = namespaceId(ns);
    let space = this.spaces.get(id);
    if (!space) {
      space = new Map();
      this.spaces.set(id, space);
    }
    return space;
  }

  private remember(space: Map<string, Row>, key: string): void {
    if (!this.journal) return;
    const previous = space.get(key);
    this.journal.push(() => (previous ? space.set(key, previous) : space.delete(key)));
  }
}

function toItem(row: Row): StoredItem {
  return {
    key: row.key,
    value: (row.parsed ??= JSON.parse(row.json) as unknown),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.expiresAt !== undefined ? { expiresAt: row.expiresAt } : {}),
  };
}
