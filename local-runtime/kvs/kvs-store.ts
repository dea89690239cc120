// Forge's storage semantics over a backend: namespaces from the manifest, key policies, ttl,
// created/updated times. Synchronous, so a request's read-check-write can't interleave with another.
import type { EntityDefinition } from '../manifest/app-manifest.js';
import type { KvsBackend, ListOptions, Namespace, StoredItem } from './backend.js';
import { KvsError } from './kvs-errors.js';
import {
  DEFAULT_PLATFORM,
  expiryAfterSet,
  keyPolicyClashError,
  type PlatformProfile,
} from './platform-profile.js';

export type KeyPolicy = 'OVERRIDE' | 'FAIL_IF_EXISTS';

export interface PutOptions {
  ttlMs?: number;
  keyPolicy?: KeyPolicy;
}

export class KvsStore {
  constructor(
    readonly backend: KvsBackend,
    private readonly entities: Map<string, EntityDefinition>,
    private readonly now: () => number,
    /** The answers to what Forge leaves open (platform-profile.ts). */
    readonly platform: PlatformProfile = DEFAULT_PLATFORM,
  ) {}

  /** The manifest's definition of `name`, or a 400 `UNKNOWN_ENTITY`. */
  entity(name: string): EntityDefinition {
    const entity = this.entities.get(name);
    if (!entity)
      throw new KvsError('UNKNOWN_ENTITY', `No entity '${name}' in manifest.yml`, { entityName: name });
    return entity;
  }

  get(ns: Namespace, key: string): StoredItem | undefined {
    return this.backend.get(ns, key, this.now());
  }

  /** Writes `value`; returns the live item it replaced, if any. */
  put(
    ns: Namespace,
    key: string,
    value: unknown,
    options: PutOptions = {},
  ): { previous?: StoredItem; latest: StoredItem } {
    return this.backend.atomically(() => {
      const now = this.now();
      const previous = this.backend.get(ns, key, now);
      if (previous && options.keyPolicy === 'FAIL_IF_EXISTS') throw keyPolicyClashError(this.platform, key);
      const expiresAt = expiryAfterSet(this.platform, previous, options.ttlMs, now);
      const latest: StoredItem = {
        key,
        value,
        createdAt: previous?.createdAt ?? now,
        updatedAt: now,
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      };
      this.backend.put(ns, latest);
      return previous ? { previous, latest } : { latest };
    });
  }

  /** Deletes `key`; returns whether a live item was there. */
  delete(ns: Namespace, key: string): boolean {
    return this.backend.atomically(() => {
      const existed = this.backend.get(ns, key, this.now()) !== undefined;
      if (existed) this.backend.delete(ns, key);
      return existed;
    });
  }

  list(ns: Namespace, options?: ListOptions): StoredItem[] {
    return this.backend.list(ns, this.now(), options);
  }
}
