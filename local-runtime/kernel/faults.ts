// Faults the runtime injects, each a probability per operation, drawn from the seeded source.

export interface KvsFaults {
  /** The request fails with HTTP 500 and changes nothing. */
  serverError: number;
  /** The request fails with HTTP 429 and changes nothing. */
  rateLimited: number;
  /** The request times out; half the time after it was applied (an ambiguous outcome). */
  timeout: number;
}

export interface PushFaults {
  serverError: number;
  rateLimited: number;
  /** Some events of a multi-event push are refused (HTTP 202 with `failedEvents`). */
  partial: number;
}

export interface DeliveryFaults {
  /** An event is delivered a second time (at-least-once). */
  duplicate: number;
  /** An event's delivery is pushed back by a random extra delay, so later events overtake it. */
  reorder: number;
  /** Upper bound of the extra delay for reordered events, in ms. */
  reorderMaxDelayMs: number;
  /**
   * An attempt fails inside the platform (an internal server error): half the time before the
   * consumer runs, half the time after it ran (its outcome is lost). The platform retries it with
   * backoff without raising `retryCount`, and the retention window grows by the wait, up to 72 h
   * more (docs: async-events-api, "Extending retention window").
   */
  platformError: number;
}

export interface CrashFaults {
  /** Probability that an invocation dies part-way. */
  probability: number;
  /** It dies right after its Nth storage call, N drawn uniformly from this range. */
  afterStorageCalls: readonly [number, number];
  /** Function kinds the crash applies to. */
  kinds: readonly InvocationKind[];
}

export type InvocationKind = 'resolver' | 'consumer' | 'trigger' | 'webtrigger' | 'scheduled' | 'app';

export interface FaultPlan {
  kvs: KvsFaults;
  push: PushFaults;
  delivery: DeliveryFaults;
  crash: CrashFaults;
}

export const NO_FAULTS: FaultPlan = {
  kvs: { serverError: 0, rateLimited: 0, timeout: 0 },
  push: { serverError: 0, rateLimited: 0, partial: 0 },
  delivery: { duplicate: 0, reorder: 0, reorderMaxDelayMs: 30_000, platformError: 0 },
  crash: { probability: 0, afterStorageCalls: [1, 3], kinds: ['consumer'] },
};

export type FaultOptions = { [K in keyof FaultPlan]?: Partial<FaultPlan[K]> };

export function resolveFaults(options: FaultOptions = {}): FaultPlan {
  return {
    kvs: { ...NO_FAULTS.kvs, ...options.kvs },
    push: { ...NO_FAULTS.push, ...options.push },
    delivery: { ...NO_FAULTS.delivery, ...options.delivery },
    crash: { ...NO_FAULTS.crash, ...options.crash },
  };
}
