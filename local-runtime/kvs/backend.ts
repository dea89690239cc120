// Where items live. A backend knows namespaces, keys, JSON values and expiry times, nothing of
// Forge's rules: the storage semantics (policies, conditions, quotas) sit above it in `KvsStore`.
import { isLive } from './ttl.js';

/** Plain keys, secrets, and one namespace per custom entity. */
export type Namespace = { kind: 'plain' } | { kind: 'secret' } | { kind: 'entity'; entity: string };

export function namespaceId(ns: Namespace): string {
  return ns.kind === 'entity' ? `entity:${ns.entity}` : ns.kind;
}

export interface StoredItem {
  key: string;
  /** As read from a backend, possibly shared with it and other readers: read it, never change it. */
  value: unknown;
  /** ms since the epoch, in the runtime clock's time */
  createdAt: number;
  updatedAt: number;
  expiresAt?: number;
}

export interface ListOptions {
  /** Only keys starting with this. */
  prefix?: string;
  /** Only keys sorting strictly after this one. */
  after?: string;
  limit?: number;
  /**
   * Only items whose value this accepts. It sees the stored value itself and must not change it;
   * a backend may use it to skip copying what it rejects.
   */
  where?: (value: unknown) => boolean;
}

export interface KvsBackend {
  /** The live item (not expired at `now`), if any. */
  get(ns: Namespace, key: string, now: number): StoredItem | undefined;
  put(ns: Namespace, item: StoredItem): void;
  delete(ns: Namespace, key: string): void;
  /** Live items in ascending key order (UTF-16 code units; keys are ASCII plus whitespace). */
  list(ns: Namespace, now: number, options?: ListOptions): StoredItem[];
  /** Runs `fn` so that either all of its writes happen or, when it throws, none. */
  atomically<T>(fn: () => T): T;
  close(): void;
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function liveAt(item: StoredItem, now: number): boolean {
  return isLive(item.expiresAt, now);
}
