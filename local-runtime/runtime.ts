// The local Forge runtime: loads an app from its manifest and serves the real `@forge/*` packages
// over their own wire protocol (`global.__forge_fetch__`), with emulated KVS, async events and Jira.
import path from 'node:path';
import { RealClock, VirtualClock, type Clock } from './kernel/clock.js';
import { Counters, type CounterSnapshot } from './kernel/counters.js';
import { resolveFaults, type FaultOptions } from './kernel/faults.js';
import { jsonResponse } from './kernel/http.js';
import {
  Invocation,
  outsideInvocation,
  runInInvocation,
  type FetchDescriptor,
  type ForgeRuntimeView,
  type InvocationHost,
} from './kernel/invocation.js';
import { ZERO_LATENCY, type LatencyModel } from './kernel/latency.js';
import { SeededRandom } from './kernel/random.js';
import { installSandbox, setFallbackFetch } from './kernel/sandbox.js';
import type { ServiceContext } from './kernel/service-context.js';
import { Trace, type TraceEntry } from './kernel/trace.js';
import { loadManifest, type AppManifest } from './manifest/app-manifest.js';
import { HandlerLoader, type HandlerSource } from './manifest/handler-loader.js';
import { FunctionRunner } from './functions/function-runner.js';
import { resolveSite, type LocalSite, type SiteOptions } from './functions/forge-context.js';
import { checkVariables, readEnvFile, setAppVariables } from './functions/app-variables.js';
import { createKvs, type KvsEmulator, type KvsStorageOption, type QuotaOptions } from './kvs/kvs-emulator.js';
import { createLegacyStorageGraphql, LEGACY_STORAGE_PATH } from './kvs/legacy-storage-graphql.js';
import { resolvePlatform, type PlatformOption, type PlatformProfile } from './kvs/platform-profile.js';
import { createEvents, type EventsEmulator, type EventsOptions } from './events/events-emulator.js';
import { createJira, type JiraEmulator, type JiraOption } from './jira/jira-emulator.js';
import {
  AppModules,
  type ProductEventInput,
  type ProductEventReport,
  type ResolverCall,
  type ScheduledRun,
  type WebTriggerRequest,
  type WebTriggerResponse,
} from './functions/app-modules.js';
import type { KvsInspector } from './kvs/kvs-emulator.js';
import { serveStargateGraphql } from './functions/stargate-graphql.js';
import { LOCAL_INSTALLATION_ID, RealtimeEmulator } from './realtime/realtime-emulator.js';

export interface RuntimeOptions {
  /** The app folder holding `manifest.yml` and `src/`. Default: the current directory. */
  appDir?: string;
  /** `virtual` (default) for tests and simulations; `real` for `npm start`. */
  clock?: 'virtual' | 'real';
  /** Start of virtual time, ms since the epoch. */
  startTime?: number;
  /** Seed of every random choice the runtime makes. Default 1. */
  seed?: number;
  /** Where KVS data lives: in memory (default) or a SQLite file. */
  storage?: KvsStorageOption;
  latency?: Partial<LatencyModel>;
  faults?: FaultOptions;
  /**
   * How the runtime answers what Forge's docs leave open (`kvs/platform-profile.ts`): a profile's
   * name from `PLATFORM_PROFILES` (e.g. `'adverse'`), or some answers, e.g.
   * `{ failedCondition: '400-CONDITION_FAILED', conditionOnMissingKey: 'fails' }`; the rest are the
   * default's. Default: `'default'`, which follows the docs where they speak.
   */
  platform?: PlatformOption;
  /** Forge's KVS quotas (on by default); `false` turns them off. */
  quotas?: Partial<QuotaOptions> | false;
  events?: Partial<EventsOptions>;
  /**
   * The local Jira: a fixture (a path to a JSON file, or the fixture itself), or
   * `{ fixture, routes }` to add handlers for endpoints it lacks (docs/local-runtime.md).
   * Default: the app's `fixtures/jira.json`.
   */
  jira?: JiraOption;
  /** Record a trace of every step (for replay comparisons). Default false. */
  trace?: boolean;
  /**
   * Which code runs: the app's TypeScript sources (`source`, default), or what Forge's bundler made
   * of them (`bundle`: `.forge-bundle/` from `npm run bundle`; or `{ bundleDir }`).
   */
  handlers?: HandlerSource;
  /** Where the runtime's own log lines go. Default: nowhere. */
  log?: (line: string) => void;
  /** Forge Realtime: `down: true` starts with it failing (`realtime.setDown()` switches it later). */
  realtime?: { down?: boolean };
  /**
   * The one site every module's context names (`cloudId`, `siteUrl`, and the product in
   * `installContext`). Default: a fixed local cloud id, the local Jira's URL, the manifest's product.
   */
  site?: SiteOptions;
  /** Forge environment variables (`forge variables set`), read by the app as `process.env.NAME`. */
  variables?: Record<string, string>;
  /** A `.env`-style file of environment variables; `variables` win over it. */
  envFile?: string;
}

export class LocalForgeRuntime implements InvocationHost {
  readonly clock: Clock;
  readonly manifest: AppManifest;
  readonly counters = new Counters();
  /** The answers this runtime gives to what Forge leaves open. */
  readonly platform: Readonly<PlatformProfile>;
  readonly kvs: KvsEmulator;
  readonly events: EventsEmulator;
  readonly jira: JiraEmulator;
  readonly realtime: RealtimeEmulator;
  readonly functions: FunctionRunner;
  readonly modules: AppModules;
  /** The installation every module's context names. */
  readonly site: LocalSite;
  /** What the runtime assumed or does not emulate (a missing app id, unknown modules), also logged at start. */
  readonly warnings: readonly string[];
  /** The names (never the values) of the environment variables the app sees. */
  readonly variableNames: readonly string[];
  private readonly traceLog: Trace;
  private readonly ctx: ServiceContext;
  private readonly appInvocation: Invocation;
  private closed = false;
  private appRuns = 0;

  constructor(options: RuntimeOptions = {}) {
    // Checked first: a wrong profile name is a mistake to report before anything is set up.
    this.platform = resolvePlatform(options.platform);
    installSandbox();
    const appDir = path.resolve(options.appDir ?? process.cwd());
    this.manifest = loadManifest(appDir);
    this.clock = options.clock === 'real' ? new RealClock() : new VirtualClock(options.startTime);
    const random = new SeededRandom(options.seed ?? 1);
    this.traceLog = new Trace(() => this.clock.now(), options.trace ?? false);
    this.ctx = {
      clock: this.clock,
      random,
      counters: this.counters,
      trace: this.traceLog,
      faults: resolveFaults(options.faults),
      latency: { ...ZERO_LATENCY, ...options.latency },
      log: hostLog(options.log),
    };
    this.kvs = createKvs(this.ctx, {
      entities: this.manifest.entities,
      storage: options.storage ?? { kind: 'memory' },
      quotas: options.quotas ?? {},
      platform: this.platform,
    });
    this.jira = createJira(this.ctx, options.jira, path.join(appDir, 'fixtures', 'jira.json'));
    this.site = resolveSite(options.site, {
      siteUrl: this.jira.baseUrl,
      moduleKinds: [...this.manifest.uiModules.values()].map((m) => m.type),
    });
    const variables = {
      ...(options.envFile ? readEnvFile(path.resolve(appDir, options.envFile)) : {}),
      ...checkVariables(options.variables ?? {}),
    };
    this.variableNames = Object.keys(variables).sort();
    setAppVariables(this, variables);
    this.functions = new FunctionRunner(
      this.ctx,
      this.manifest,
      this,
      new HandlerLoader(appDir, options.handlers),
      this.site,
    );
    this.events = createEvents(this.ctx, {
      manifest: this.manifest,
      functions: this.functions,
      ...options.events,
    });
    this.realtime = new RealtimeEmulator(this.ctx);
    this.realtime.setDown(options.realtime?.down ?? false);
    this.modules = new AppModules(this.ctx, this.manifest, this.functions, this.jira);
    // Jira's own changes (a transition, a comment) reach the app's triggers as product events.
    this.jira.onProductEvent((event) => this.modules.fireProductEvent(event.eventType, event.payload));
    this.warnings = [...this.manifest.warnings];
    for (const warning of this.warnings) this.ctx.log(`[runtime] warning: ${warning}`);
    // Calls made outside any invocation (a test reading storage through `@forge/kvs`) act as the app.
    this.appInvocation = new Invocation('app', this, 'app', 'app', undefined, random.fork('app'), undefined);
    setFallbackFetch((descriptor, p, init) => this.fetch(this.appInvocation, descriptor, p, init));
  }

  /** Serves one `__forge_fetch__` call from app code. */
  async fetch(
    invocation: Invocation,
    descriptor: FetchDescriptor,
    requestPath: string,
    init: RequestInit | undefined,
  ): Promise<Response> {
    if (this.closed) throw new Error('The local Forge runtime is closed');
    if (invocation.dead) return never();
    if (descriptor.type === 'kvs') return this.storageCall(invocation, requestPath, init);
    if (descriptor.remote === 'stargate' && requestPath === LEGACY_STORAGE_PATH) {
      // `storage` of older `@forge/api` majors: GraphQL answered from the same KVS.
      return createLegacyStorageGraphql((p, i) => this.storageCall(invocation, p, i))(init);
    }
    if (descriptor.type === 'realtime') return this.realtime.fetch(init);
    if (
      descriptor.type === 'fpp' &&
      descriptor.remote === 'stargate' &&
      requestPath.startsWith('/webhook/queue/')
    ) {
      return this.events.fetch(requestPath, init, invocation);
    }
    if (descriptor.type === 'fpp' && descriptor.remote === 'stargate' && requestPath === '/graphql') {
      return serveStargateGraphql(this.modules, init);
    }
    if (descriptor.type === 'fpp' && descriptor.remote === 'jira') {
      if (descriptor.provider === 'user') {
        const accountId = descriptor.accountId ?? invocation.accountId;
        if (!accountId)
          return jsonResponse(401, { errorMessages: ['asUser() needs a user: this invocation has none'] });
        return this.jira.fetch(requestPath, init, { kind: 'user', accountId });
      }
      return this.jira.fetch(requestPath, init, { kind: 'app' });
    }
    return jsonResponse(404, {
      message: `The local Forge runtime does not serve ${descriptor.type}/${descriptor.remote ?? ''} ${requestPath}`,
    });
  }

  /** One KVS call from app code: it counts towards the invocation's injected crash. */
  private async storageCall(
    invocation: Invocation,
    requestPath: string,
    init: RequestInit | undefined,
  ): Promise<Response> {
    const response = await this.kvs.fetch(requestPath, init);
    if (invocation.dead) return never();
    if (invocation.countStorageCall()) {
      this.ctx.log(
        `[functions] ${invocation.functionKey} (${invocation.id}) crashed after storage call ${invocation.storageCalls}`,
      );
      invocation.kill();
      return never();
    }
    return response;
  }

  /** Calls a UI module's resolver as a user, in an issue's context; returns what it returns. */
  invokeResolver(call: ResolverCall): Promise<unknown> {
    return this.modules.invokeResolver(call);
  }

  /**
   * Delivers a Jira product event to every trigger subscribed to it; answers with the first
   * deliveries. Retries run later on the clock (`runUntilIdle()` waits for them);
   * `modules.triggerAttempts()` lists every attempt.
   */
  fireProductEvent(eventType: string, payload?: ProductEventInput): Promise<ProductEventReport> {
    return this.modules.fireProductEvent(eventType, payload);
  }

  /** Calls a web trigger with Forge's request shape. */
  callWebTrigger(key: string, request?: Partial<WebTriggerRequest>): Promise<WebTriggerResponse> {
    return this.modules.callWebTrigger(key, request);
  }

  runScheduledTrigger(key: string): Promise<ScheduledRun> {
    return this.modules.runScheduledTrigger(key);
  }

  /** Runs `fn` as app code inside its own invocation (virtual time and seeded chance apply). */
  async runAsApp<T>(fn: () => Promise<T>, accountId?: string): Promise<T> {
    const invocation = new Invocation(
      `app-${++this.appRuns}`,
      this,
      'app',
      'app',
      accountId,
      this.ctx.random.fork(`app-run-${this.appRuns}`),
      undefined,
    );
    return runInInvocation(invocation, fn);
  }

  /** Unmetered reads of stored data, for assertions. */
  get storage(): KvsInspector {
    return this.kvs.inspect;
  }

  /** Replaces the fault plan from now on (e.g. calm weather after a storm, to replay dead letters). */
  setFaults(faults: FaultOptions): void {
    Object.assign(this.ctx.faults, resolveFaults(faults));
  }

  /**
   * Forgets every loaded handler module: the next invocation runs the code as it is on disk now
   * (the sources, or a bundle rebuilt since). Invocations already running finish on the old code.
   */
  reloadHandlers(): void {
    this.functions.handlers.reload();
  }

  /** Makes the next invocation of `functionKey` die right after its Nth storage call. */
  crashNextInvocation(functionKey: string, afterStorageCalls: number): void {
    this.functions.crashNextInvocation(functionKey, afterStorageCalls);
  }

  forgeRuntime(invocation: Invocation): ForgeRuntimeView {
    return {
      contextAri: this.site.installContext,
      appContext: {
        // `getAppContext()` builds `ari:cloud:ecosystem::app/{appId}` from it: the id alone.
        appId: this.manifest.appId.slice(this.manifest.appId.lastIndexOf('/') + 1),
        appVersion: '1.0.0',
        environmentId: this.site.environmentId,
        environmentType: this.site.environmentType,
        installationId: LOCAL_INSTALLATION_ID,
        invocationId: invocation.id,
        permissions: { scopes: [...(this.manifest.raw.permissions?.scopes ?? [])], external: {} },
      },
    };
  }

  appLog(invocation: Invocation, level: string, text: string): void {
    // Every line carries the function, so a stack trace in a terminal still says whose it is.
    const prefix = `[${invocation.functionKey} ${invocation.id}] ${level.toUpperCase()}`;
    this.ctx.log(`${prefix} ${text.replaceAll('\n', `\n${prefix} `)}`);
  }

  /** Runs the queues (and every timer) until nothing is left to do, in virtual time. */
  async runUntilIdle(): Promise<void> {
    for (;;) {
      await this.clock.idle();
      if (this.clock.kind === 'virtual') {
        if (
          (this.clock as VirtualClock).pendingTimers() === 0 &&
          this.events.inFlight() === 0 &&
          this.modules.pendingTriggerRetries() === 0 &&
          this.jira.pendingEvents() === 0
        )
          return;
      } else {
        if (
          this.events.pending() === 0 &&
          this.events.inFlight() === 0 &&
          this.modules.pendingTriggerRetries() === 0 &&
          this.jira.pendingEvents() === 0
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  /** Advances virtual time by `ms`, running whatever falls due. */
  async advance(ms: number): Promise<void> {
    await this.clock.sleep(ms);
  }

  metered(): CounterSnapshot {
    return this.counters.snapshot();
  }

  trace(): readonly TraceEntry[] {
    return this.traceLog.entries;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.modules.close();
    this.events.close();
    this.realtime.close();
    this.clock.close();
    this.kvs.close();
    setFallbackFetch(undefined);
  }
}

/**
 * The runtime's log sink always runs outside any invocation: lines the runtime logs while serving
 * an invocation (a crash, a dropped event) are the runtime's, and a sink that writes to `console`
 * must not have them taken for the app's own logs.
 */
function hostLog(sink: ((line: string) => void) | undefined): (line: string) => void {
  if (!sink) return () => undefined;
  return (line) => outsideInvocation(() => sink(line));
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** Creates a runtime for an app folder, with every handler loaded so time can start. */
export async function createRuntime(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  const runtime = new LocalForgeRuntime(options);
  await runtime.functions.preload();
  return runtime;
}
