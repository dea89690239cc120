// Counters for everything Forge meters, so tests and benchmarks can assert on cost.

/** Everything Forge meters, in the groups Forge bills and limits them by. */
export const COUNTER_GROUPS = {
  // Each KVS request is one metered request of its kind.
  'KVS requests by kind': [
    'kvs.get',
    'kvs.set',
    'kvs.delete',
    'kvs.query',
    'kvs.secret.get',
    'kvs.secret.set',
    'kvs.secret.delete',
    'kvs.entity.get',
    'kvs.entity.set',
    'kvs.entity.delete',
    'kvs.entity.query',
    'kvs.batch.get',
    'kvs.batch.set',
    'kvs.batch.delete',
    'kvs.transaction',
  ],
  'KVS totals': [
    'kvs.requests',
    'kvs.readRequests',
    'kvs.writeRequests',
    'kvs.readUnits',
    'kvs.writeUnits',
    'kvs.failedConditions',
    'kvs.rateLimited',
    'kvs.injectedErrors',
  ],
  'Async events': [
    'events.pushRequests',
    'events.pushed',
    'events.pushRejected',
    'events.delivered',
    'events.succeeded',
    'events.retried',
    'events.retryRequested',
    'events.failedInvocations',
    'events.heldBack',
    'events.duplicated',
    'events.dropped',
    'events.cancelled',
    'events.rateLimited',
    // Attempts failed inside the platform (the platformError fault): retried, retryCount unchanged.
    'events.platformErrors',
    // Past a window stretched by platform errors: not dropped, but no longer retried (docs).
    'events.stranded',
    // Retry requests whose retryData was not an object or over 4 KB: retried without it.
    'events.retryDataRefused',
  ],
  // A throw, a crash and a timeout are each a failed invocation, shown apart.
  'Functions and Jira': [
    'functions.invocations',
    'functions.threw',
    'functions.crashed',
    'functions.timedOut',
    'jira.requests',
  ],
  // Retries of product-event triggers: asked for by a returned InvocationError (at most 4), or made
  // by the platform after a time-out or crash; gaveUp counts the retries not made.
  'Product-event triggers': [
    'triggers.retryRequested',
    'triggers.retried',
    'triggers.platformRetried',
    'triggers.gaveUp',
    'triggers.retryDataRefused',
  ],
  // Forge Realtime: tokens signed, publishes and the subscriptions they reached, browser
  // subscriptions, tokens refused, and calls failed while the fault switch is on.
  Realtime: [
    'realtime.tokensSigned',
    'realtime.publishes',
    'realtime.deliveries',
    'realtime.subscriptions',
    'realtime.refused',
    'realtime.failed',
  ],
} as const;

export const COUNTER_NAMES = Object.values(COUNTER_GROUPS).flat();

export type CounterName = (typeof COUNTER_GROUPS)[keyof typeof COUNTER_GROUPS][number];
export type CounterSnapshot = Record<CounterName, number>;

export class Counters {
  private values = new Map<CounterName, number>();

  add(name: CounterName, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  get(name: CounterName): number {
    return this.values.get(name) ?? 0;
  }

  snapshot(): CounterSnapshot {
    const out = {} as CounterSnapshot;
    for (const name of COUNTER_NAMES) out[name] = this.get(name);
    return out;
  }

  /** The difference `after - before` of two snapshots, for measuring one step. */
  static diff(before: CounterSnapshot, after: CounterSnapshot): CounterSnapshot {
    const out = {} as CounterSnapshot;
    for (const name of COUNTER_NAMES) out[name] = after[name] - before[name];
    return out;
  }

  reset(): void {
    this.values.clear();
  }
}
