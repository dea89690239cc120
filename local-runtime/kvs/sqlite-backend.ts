// A SQLite file backend (better-sqlite3), so data survives restarts of the local runtime.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  liveAt,
  namespaceId,
  type KvsBackend,
  type ListOptions,
  type Namespace,
  type StoredItem,
} from './backend.js';

interface Row {
  key: string;
  value: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
}

export class SqliteBackend implements KvsBackend {
  private readonly db: Database.Database;
  private readonly selectOne: Database.Statement<[string, string], Row>;
  private readonly upsert: Database.Statement<[string, string, string, number, number, number | null]>;
  private readonly remove: Database.Statement<[string, string]>;

  constructor(file: string) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS kvs_items (
      ns TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      expires_at INTEGER,
      PRIMARY KEY (ns, key)
    ) WITHOUT ROWID`);
    this.selectOne = this.db.prepare(
      'SELECT key, value, created_at, updated_at, expires_at FROM kvs_items WHERE ns = ? AND key = ?',
    );
    this.upsert = this.db.prepare(
      `INSERT INTO kvs_items (ns, key, value, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at,
       updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
    );
    this.remove = this.db.prepare('DELETE FROM kvs_items WHERE ns = ? AND key = ?');
  }

  get(ns: Namespace, key: string, now: number): StoredItem | undefined {
    const row = this.selectOne.get(namespaceId(ns), key);
    if (!row) return undefined;
    const item = toItem(row);
    return liveAt(item, now) ? item : undefined;
  }

  put(ns: Namespace, item: StoredItem): void {
    this.upsert.run(
      namespaceId(ns),
      item.key,
      JSON.stringify(item.value),
      item.createdAt,
      item.updatedAt,
      item.expiresAt ?? null,
    );
  }

  delete(ns: Namespace, key: string): void {
    this.remove.run(namespaceId(ns), key);
  }

  list(ns: Namespace, now: number, options: ListOptions = {}): StoredItem[] {
    const where = ['ns = ?', '(expires_at IS NULL OR expires_at > ?)'];
    const params: Array<string | number> = [namespaceId(ns), now];
    if (options.prefix !== undefined && options.prefix !== '') {
      // substr instead of LIKE: keys may hold `_`, which LIKE treats as a wildcard.
      where.push('substr(key, 1, ?) = ?');
      params.push(options.prefix.length, options.prefix);
    }
    if (options.after !== undefined) {
      where.push('key > ?');
      params.push(options.after);
    }
    let sql = `SELECT key, value, created_at, updated_at, expires_at FROM kvs_items WHERE ${where.join(' AND ')} ORDER BY key`;
    if (options.limit !== undefined && !options.where) {
      sql += ' LIMIT ?';
      params.push(options.limit);
    }
    const items = this.db
      .prepare<Array<string | number>, Row>(sql)
      .all(...params)
      .map(toItem);
    if (!options.where) return items;
    const selected = items.filter((item) => options.where!(item.value));
    return options.limit !== undefined ? selected.slice(0, options.limit) : selected;
  }

  atomically<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toItem(row: Row): StoredItem {
  return {
    key: row.key,
    value: JSON.parse(row.value) as unknown,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.expires_at !== null ? { expiresAt: row.expires_at } : {}),
  };
}
