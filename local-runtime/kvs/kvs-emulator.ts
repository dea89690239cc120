// PLACEHOLDER INTERFACE — the KVS helper replaces this body. Exported names and types are the contract.
import type { ServiceContext } from '../kernel/service-context.js';
import type { EntityDefinition } from '../manifest/app-manifest.js';

export type KvsStorageOption = { kind: 'memory' } | { kind: 'sqlite'; file: string };

/** Forge's KVS quotas per installation. */
export interface QuotaOptions {
  requestsPerSecond: number;
  readUnitsPerMinute: number;
  writeUnitsPerMinute: number;
  /** Size of one read/write unit in bytes (10 KB). */
  unitBytes: number;
}

export interface KvsItem {
  key: string;
  value: unknown;
  expireTime?: string;
}

/** Unmetered reads for test assertions and the console. */
export interface KvsInspector {
  get(key: string): unknown;
  getSecret(key: string): unknown;
  getEntity(entityName: string, key: string): unknown;
  listEntity(entityName: string): KvsItem[];
  list(prefix?: string): KvsItem[];
}

export interface KvsEmulator {
  /** Serves one `@forge/kvs` call (`/api/v1/...`), with latency, faults, quotas and metering. */
  fetch(path: string, init: RequestInit | undefined): Promise<Response>;
  readonly inspect: KvsInspector;
  close(): void;
}

export function createKvs(
  _ctx: ServiceContext,
  _options: { entities: Map<string, EntityDefinition>; storage: KvsStorageOption; quotas: Partial<QuotaOptions> | false },
): KvsEmulator {
  throw new Error('not implemented yet');
}
