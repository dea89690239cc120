// Installs the globals the `@forge/*` packages expect (`__forge_fetch__`, `__forge_runtime__`) and,
// inside invocations run on a virtual clock, makes time and chance deterministic: `Date`,
// `setTimeout`, `Math.random` and `crypto.randomUUID` follow the runtime's clock and seed there.
// Outside invocations (the test harness, vitest itself) every global behaves as usual. `console`
// output from inside an invocation goes to the runtime's log, tagged with the function; the
// process's own console stays reachable as `hostConsole`, for output that is not an app's.
import nodeCrypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { format } from 'node:util';
import { LOCAL_CLOUD_ID } from '../functions/forge-context.js';
import { installForgeAgentTransport } from './forge-agent-transport.js';
import { currentInvocation, type FetchDescriptor } from './invocation.js';

type ForgeFetch = (descriptor: FetchDescriptor, path: string, init?: RequestInit) => Promise<Response>;

declare global {
  var __forge_fetch__: ForgeFetch | undefined;
  var __forge_runtime__: unknown;
}

const CONSOLE_LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const;
type ConsoleLevel = (typeof CONSOLE_LEVELS)[number];

/**
 * The console as it was before the sandbox routed it to app logs. Host output (a CLI printing the
 * runtime's log) goes here, so it can never re-enter an invocation's log.
 */
export const hostConsole: Readonly<Record<ConsoleLevel, (...args: unknown[]) => void>> = Object.fromEntries(
  CONSOLE_LEVELS.map((level) => [level, console[level].bind(console)]),
) as Record<ConsoleLevel, (...args: unknown[]) => void>;

let installed = false;
/** True while an app log is handed to its host, whose sink may itself write to `console`. */
let writingAppLog = false;
/** Set by the runtime for calls made outside any invocation (a test reading storage, say). */
let fallbackFetch: ForgeFetch | undefined;

export function setFallbackFetch(fetch: ForgeFetch | undefined): void {
  fallbackFetch = fetch;
}

function virtualInvocation() {
  const invocation = currentInvocation();
  return invocation && invocation.host.clock.kind === 'virtual' ? invocation : undefined;
}

export function installSandbox(): void {
  if (installed) return;
  installed = true;

  globalThis.__forge_fetch__ = async (descriptor, path, init) => {
    const invocation = currentInvocation();
    if (invocation) return invocation.host.fetch(invocation, descriptor, path, init);
    if (fallbackFetch) return fallbackFetch(descriptor, path, init);
    throw new Error('No local Forge runtime is open: create one before calling @forge/* APIs.');
  };
  // `@forge/api` 3.x/4.x send their product and storage requests through node-fetch instead.
  installForgeAgentTransport(() => globalThis.__forge_fetch__!);
  // Enough of Forge's runtime object for `@forge/api` helpers that read it; `kvs` stays unset so
  // `@forge/kvs` takes the `__forge_fetch__` path. The app and site parts come from the runtime the
  // current invocation belongs to, so two runtimes in one process each see their own app and site.
  // `contextAri` is what `@forge/storage` 1.x sends with each call (`@forge/api` 3.x/4.x); `aaid`
  // is the user `authorize()` of 3.x checks.
  const view = () => {
    const invocation = currentInvocation();
    return invocation?.host.forgeRuntime?.(invocation);
  };
  globalThis.__forge_runtime__ = {
    get contextAri() {
      return view()?.contextAri ?? `ari:cloud:jira::site/${LOCAL_CLOUD_ID}`;
    },
    get aaid() {
      return currentInvocation()?.accountId;
    },
    get appContext() {
      return (
        view()?.appContext ?? {
          appId: 'local-app',
          appVersion: '1.0.0',
          environmentId: 'local',
          environmentType: 'DEVELOPMENT',
          installationId: 'local-installation',
        }
      );
    },
    lambdaContext: {},
    metrics: {
      counter: () => ({ incr: () => undefined }),
      timing: () => ({ measure: () => ({ stop: () => undefined }) }),
    },
    tracing: { traceId: 'local', spanId: 'local' },
  };

  const RealDate = Date;
  class SandboxDate extends RealDate {
    constructor(...args: unknown[]) {
      const invocation = virtualInvocation();
      if (args.length === 0 && invocation) super(invocation.host.clock.now());
      else super(...(args as []));
    }
    static override now(): number {
      return virtualInvocation()?.host.clock.now() ?? RealDate.now();
    }
  }
  globalThis.Date = SandboxDate as DateConstructor;

  const realRandom = Math.random;
  Math.random = () => virtualInvocation()?.random.next() ?? realRandom();

  const realUuid = nodeCrypto.randomUUID.bind(nodeCrypto);
  const sandboxUuid = ((options?: nodeCrypto.RandomUUIDOptions) =>
    virtualInvocation()?.random.uuid() ?? realUuid(options)) as typeof nodeCrypto.randomUUID;
  nodeCrypto.randomUUID = sandboxUuid;
  // `import { randomUUID } from 'node:crypto'` reads the ESM view of the builtin: update it too.
  syncBuiltinESMExports();
  if (globalThis.crypto) {
    const webUuid = globalThis.crypto.randomUUID.bind(globalThis.crypto);
    globalThis.crypto.randomUUID = () =>
      (virtualInvocation()?.random.uuid() as ReturnType<typeof webUuid> | undefined) ?? webUuid();
  }

  // App logs belong to the invocation, as in `forge logs`; the runtime decides where they go.
  for (const level of CONSOLE_LEVELS) {
    const original = hostConsole[level];
    console[level] = (...args: unknown[]) => {
      const invocation = currentInvocation();
      // A sink such as `log: (line) => console.log(line)` calls back in here, still inside the
      // invocation: that call is the host's output, not another app log (which would loop forever).
      if (!invocation || writingAppLog) return original(...args);
      writingAppLog = true;
      try {
        invocation.host.appLog(invocation, level, format(...args));
      } finally {
        writingAppLog = false;
      }
    };
  }

  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const virtualTimers = new WeakSet<object>();
  const sandboxSetTimeout = ((callback: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const invocation = virtualInvocation();
    if (!invocation) return realSetTimeout(callback, ms, ...args);
    const handle = invocation.host.clock.setTimer(ms ?? 0, () => callback(...args));
    const timer = {
      cancel: () => handle.cancel(),
      ref: () => timer,
      unref: () => timer,
      hasRef: () => false,
      refresh: () => timer,
    };
    virtualTimers.add(timer);
    return timer;
  }) as unknown as typeof setTimeout;
  globalThis.setTimeout = sandboxSetTimeout;
  globalThis.clearTimeout = ((timer: unknown) => {
    if (timer && typeof timer === 'object' && virtualTimers.has(timer))
      (timer as { cancel(): void }).cancel();
    else realClearTimeout(timer as Parameters<typeof clearTimeout>[0]);
  }) as typeof clearTimeout;
}
