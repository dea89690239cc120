// The emulated Forge KVS and Custom Entity Store, served over `@forge/kvs`'s own wire protocol.
// This file is the wire surface: it routes each `/api/v1/...` call and wraps it in what every
// request goes through on Forge (latency, quotas, injected faults, metering, tracing). What a
// request does to the data lives in the store modules (routes.ts and the files it uses).
import type { EntityDefinition } from '../manifest/app-manifest.js';
import { jsonTextResponse } from '../kernel/http.js';
import { noteInjectedFault, noteKvsRequest, noteKvsWriteApplied } from '../kernel/invocation-tally.js';
import { sampleDelay } from '../kernel/latency.js';
import type { ServiceContext } from '../kernel/service-context.js';
import type { KvsBackend, Namespace } from './backend.js';
import { CONDITION_FAILURE_CODES, KvsError } from './kvs-errors.js';
import { KvsStore } from './kvs-store.js';
import { MemoryBackend } from './memory-backend.js';
import { DEFAULT_PLATFORM, type PlatformProfile } from './platform-profile.js';
import { QuotaMeter, unitsFor, type QuotaOptions } from './quotas.js';
import { ROUTES, type Route, type RouteResult } from './routes.js';
import { isRecord } from './shapes.js';
import { SqliteBackend } from './sqlite-backend.js';
import { formatExpireTime } from './ttl.js';

export {
  CONDITION_FAILURE_CODES,
  CONDITIONAL_CHECK_FAILED,
  KVS_ERRORS,
  KvsError,
  type KvsErrorCode,
} from './kvs-errors.js';
export {
  DEFAULT_PLATFORM,
  PLATFORM_PROFILES,
  resolvePlatform,
  type PlatformOption,
  type PlatformProfile,
  type PlatformProfileName,
} from './platform-profile.js';
export { FORGE_QUOTAS, type QuotaOptions } from './quotas.js';
export type { KvsBackend, Namespace, StoredItem } from './backend.js';
export { MemoryBackend } from './memory-backend.js';
export { SqliteBackend } from './sqlite-backend.js';

export type KvsStorageOption = { kind: 'memory' } | { kind: 'sqlite'; file: string };

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
  ctx: ServiceContext,
  options: {
    entities: Map<string, EntityDefinition>;
    storage: KvsStorageOption;
    quotas: Partial<QuotaOptions> | false;
    /** The answers to what Forge leaves open; the default profile when not given. */
    platform?: PlatformProfile;
  },
): KvsEmulator {
  const backend: KvsBackend =
    options.storage.kind === 'sqlite' ? new SqliteBackend(options.storage.file) : new MemoryBackend();
  const store = new KvsStore(
    backend,
    options.entities,
    () => ctx.clock.now(),
    options.platform ?? DEFAULT_PLATFORM,
  );
  return new KvsService(ctx, store, new QuotaMeter(options.quotas, ctx.clock));
}

class KvsService implements KvsEmulator {
  readonly inspect: KvsInspector;
  // One stream for every KVS draw (latency, faults), so other services' draws don't shift it.
  private readonly random;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: KvsStore,
    private readonly quotas: QuotaMeter,
  ) {
    this.random = ctx.random.fork('kvs');
    this.inspect = inspector(store);
  }

  async fetch(path: string, init: RequestInit | undefined): Promise<Response> {
    const pathname = path.split('?')[0] ?? path;
    const route = ROUTES.get(pathname);
    if (!route)
      return this.refuse(
        { op: pathname },
        new KvsError('NOT_FOUND', `The local KVS does not serve ${pathname}`),
      );
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'POST') return this.refuse({ op: route.op }, new KvsError('METHOD_NOT_ALLOWED'));
    noteKvsRequest(route.access);

    const text = typeof init?.body === 'string' ? init.body : undefined;
    const parsed = parseBody(text);
    const detail = traceDetail(route, parsed);
    const requestBytes = text === undefined ? 0 : Buffer.byteLength(text, 'utf8');

    const delay = sampleDelay(
      route.access === 'read' ? this.ctx.latency.kvsRead : this.ctx.latency.kvsWrite,
      this.random,
    );
    if (delay > 0) await this.ctx.clock.sleep(delay);

    const knownUnits = route.access === 'write' ? unitsFor(requestBytes, this.quotas.unitBytes) : 0;
    if (!this.quotas.admit(route.access, knownUnits)) {
      this.ctx.counters.add('kvs.rateLimited');
      noteInjectedFault('kvs.quota');
      return this.refuse(
        detail,
        new KvsError(route.op === 'transaction' ? 'TOO_MANY_REQUESTS' : 'RATE_LIMIT_EXCEEDED'),
      );
    }

    const faults = this.ctx.faults.kvs;
    if (this.random.chance(faults.serverError)) {
      this.ctx.counters.add('kvs.injectedErrors');
      noteInjectedFault('kvs.serverError');
      return this.refuse(detail, new KvsError('INTERNAL_SERVER_ERROR', 'Injected fault: KVS server error'));
    }
    if (this.random.chance(faults.rateLimited)) {
      this.ctx.counters.add('kvs.injectedErrors');
      noteInjectedFault('kvs.rateLimited');
      this.ctx.counters.add('kvs.rateLimited');
      return this.refuse(detail, new KvsError('RATE_LIMIT_EXCEEDED', 'Injected fault: KVS rate limit'));
    }
    if (this.random.chance(faults.timeout)) {
      this.ctx.counters.add('kvs.injectedErrors');
      noteInjectedFault('kvs.timeout');
      // The ambiguous outcome apps must survive: the write may or may not have happened.
      const applied = this.random.chance(0.5);
      if (applied) this.serve(route, parsed, requestBytes, detail);
      this.ctx.trace.record('kvs', { ...detail, status: 'timeout', applied });
      throw new Error('KVS request timed out');
    }
    const response = this.serve(route, parsed, requestBytes, detail);
    if (route.access === 'write' && response.ok) noteKvsWriteApplied();
    return response;
  }

  close(): void {
    this.store.backend.close();
  }

  /** Runs the request against the store and meters it. */
  private serve(
    route: Route,
    parsed: ParsedBody,
    requestBytes: number,
    detail: Record<string, unknown>,
  ): Response {
    let result: RouteResult;
    try {
      if (!parsed.ok) throw parsed.error;
      result = route.handle(this.store, parsed.value);
    } catch (error) {
      result = this.errorResult(route, error);
    }
    // Encoded once: it is both what the reply carries and what a read is charged for.
    const responseText = result.body === undefined ? undefined : JSON.stringify(result.body);
    const counters = this.ctx.counters;
    counters.add(route.counter);
    counters.add('kvs.requests');
    counters.add(route.access === 'read' ? 'kvs.readRequests' : 'kvs.writeRequests');
    // Writes cost their request's size (a transaction: all of it), reads what they returned.
    const units = unitsFor(
      route.access === 'write' ? requestBytes : Buffer.byteLength(responseText ?? '', 'utf8'),
      this.quotas.unitBytes,
    );
    counters.add(route.access === 'read' ? 'kvs.readUnits' : 'kvs.writeUnits', units);
    this.quotas.charge(route.access, units);
    this.ctx.trace.record('kvs', { ...detail, status: result.status });
    return jsonTextResponse(result.status, responseText);
  }

  private errorResult(route: Route, error: unknown): RouteResult {
    if (error instanceof KvsError) {
      if (CONDITION_FAILURE_CODES.has(error.code)) this.ctx.counters.add('kvs.failedConditions');
      return { status: error.status, body: error.toBody() };
    }
    // A bug in the emulator, not the app's fault: say so loudly but still answer like Forge would.
    this.ctx.log(
      `[kvs] ${route.op} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    const internal = new KvsError('INTERNAL_SERVER_ERROR');
    return { status: internal.status, body: internal.toBody() };
  }

  /** Answers an error without touching the store or the metered totals. */
  private refuse(detail: Record<string, unknown>, error: KvsError): Response {
    this.ctx.trace.record('kvs', { ...detail, status: error.status });
    return jsonTextResponse(error.status, JSON.stringify(error.toBody()));
  }
}

type ParsedBody = { ok: true; value: unknown } | { ok: false; error: KvsError };

function parseBody(text: string | undefined): ParsedBody {
  if (text === undefined || text === '')
    return { ok: false, error: new KvsError('BAD_REQUEST', 'The request has no JSON body') };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: new KvsError('MALFORMED_JSON') };
  }
}

/** What the trace records of a request: its kind and key, never anything time- or chance-dependent. */
function traceDetail(route: Route, parsed: ParsedBody): Record<string, unknown> {
  const detail: Record<string, unknown> = { op: route.op };
  if (!parsed.ok) return detail;
  const body = parsed.value;
  if (Array.isArray(body)) {
    detail.count = body.length;
  } else if (isRecord(body)) {
    if (typeof body.entityName === 'string') detail.entity = body.entityName;
    if (typeof body.key === 'string') detail.key = body.key;
    if (typeof body.indexName === 'string') detail.index = body.indexName;
    if (route.op === 'transaction') {
      detail.count = ['set', 'delete', 'check'].reduce(
        (n, k) => n + (Array.isArray(body[k]) ? (body[k] as unknown[]).length : 0),
        0,
      );
    }
  }
  return detail;
}

function inspector(store: KvsStore): KvsInspector {
  // Copies: what the inspector hands out is the caller's to change; the stored values are shared.
  const copy = (value: unknown): unknown => (value === undefined ? undefined : structuredClone(value));
  const valueOf = (ns: Namespace, key: string) => copy(store.get(ns, key)?.value);
  const items = (ns: Namespace, prefix?: string): KvsItem[] =>
    store.list(ns, prefix !== undefined ? { prefix } : {}).map((item) => ({
      key: item.key,
      value: copy(item.value),
      ...(item.expiresAt !== undefined ? { expireTime: formatExpireTime(item.expiresAt) } : {}),
    }));
  return {
    get: (key) => valueOf({ kind: 'plain' }, key),
    getSecret: (key) => valueOf({ kind: 'secret' }, key),
    getEntity: (entityName, key) => valueOf({ kind: 'entity', entity: entityName }, key),
    listEntity: (entityName) => items({ kind: 'entity', entity: entityName }),
    list: (prefix) => items({ kind: 'plain' }, prefix),
  };
}
