// One running function invocation. App code reaches the platform only through `__forge_fetch__`,
// which finds the invocation it was called from here, through AsyncLocalStorage, the same way
// Forge's own runtime binds calls to their invocation.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from './clock.js';
import type { InvocationKind } from './faults.js';
import type { SeededRandom } from './random.js';

/** What an invocation needs from the runtime that started it. */
export interface InvocationHost {
  readonly clock: Clock;
  /** Serves one `__forge_fetch__` call made by app code running in `invocation`. */
  fetch(
    invocation: Invocation,
    descriptor: FetchDescriptor,
    path: string,
    init: RequestInit | undefined,
  ): Promise<Response>;
  /** Receives what app code writes to `console` inside the invocation (Forge keeps it as app logs). */
  appLog(invocation: Invocation, level: string, text: string): void;
  /** What `__forge_runtime__` says about the app and its site while `invocation` runs. */
  forgeRuntime?(invocation: Invocation): ForgeRuntimeView;
}

/** The parts of Forge's runtime object that depend on the app and the installation. */
export interface ForgeRuntimeView {
  /** The installation's ARI, sent by `@forge/storage` 1.x with each call. */
  contextAri: string;
  /** Read by `getAppContext()` of `@forge/api` and by `webTrigger` (appId, environmentId). */
  appContext: {
    appId: string;
    appVersion: string;
    environmentId: string;
    environmentType: string;
    installationId: string;
    invocationId: string;
    permissions: { scopes: string[]; external: Record<string, unknown> };
  };
}

/** The first argument of `global.__forge_fetch__`, as the `@forge/*` packages send it. */
export interface FetchDescriptor {
  type: string;
  provider?: string;
  remote?: string;
  accountId?: string;
  contextAri?: string;
}

export class Invocation {
  storageCalls = 0;
  dead = false;
  private crashListeners: Array<() => void> = [];

  constructor(
    readonly id: string,
    readonly host: InvocationHost,
    readonly kind: InvocationKind,
    readonly functionKey: string,
    /** The user the invocation acts for (`asUser()`), if any. */
    readonly accountId: string | undefined,
    /** Seeded source for `Math.random` and `crypto.randomUUID` inside this invocation. */
    readonly random: SeededRandom,
    /** The invocation dies right after this many storage calls, if set. */
    readonly crashAfterStorageCalls: number | undefined,
  ) {}

  /** Counts a storage call; returns true when the invocation must die after it. */
  countStorageCall(): boolean {
    this.storageCalls++;
    return this.crashAfterStorageCalls !== undefined && this.storageCalls >= this.crashAfterStorageCalls;
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    for (const listener of this.crashListeners.splice(0)) listener();
  }

  onKill(listener: () => void): void {
    if (this.dead) listener();
    else this.crashListeners.push(listener);
  }
}

const storage = new AsyncLocalStorage<Invocation>();

export function currentInvocation(): Invocation | undefined {
  return storage.getStore();
}

export function runInInvocation<T>(invocation: Invocation, fn: () => T): T {
  return storage.run(invocation, fn);
}

/** Runs `fn` outside any invocation, e.g. host output that must not count as the app's. */
export function outsideInvocation<T>(fn: () => T): T {
  return storage.exit(fn);
}
