// Forge's per-installation rate limits turned into time: how long a workload takes at the least
// when it is held to them. The runtime's own quotas are off in the bench; this projects them.
// Sources: docs/platform.md (async events; KVS quotas, counted in 10 KB units per request).

/** Forge: async events pushed per minute per installation. */
export const EVENTS_PER_MINUTE = 500;
/** Forge: KVS read units per minute per installation (a request's size rounded up to 10 KB units). */
export const READ_UNITS_PER_MINUTE = 4_000;
/** Forge: KVS write units per minute per installation (the same 10 KB units). */
export const WRITE_UNITS_PER_MINUTE = 4_000;
/** Forge: KVS requests per second per installation. */
export const KVS_REQUESTS_PER_SECOND = 1_000;
/** The size of one read or write unit. */
export const UNIT_BYTES = 10 * 1024;

export const QUOTA_LIMITS = {
  eventsPerMinute: EVENTS_PER_MINUTE,
  readUnitsPerMinute: READ_UNITS_PER_MINUTE,
  writeUnitsPerMinute: WRITE_UNITS_PER_MINUTE,
  kvsRequestsPerSecond: KVS_REQUESTS_PER_SECOND,
  unitBytes: UNIT_BYTES,
} as const;

export interface QuotaInput {
  makespanMs: number;
  events: number;
  writeUnits: number;
  readUnits?: number;
  kvsRequests?: number;
}

/**
 * max(makespan, events / 500, write units / 4000, read units / 4000, requests / 60,000), in
 * minutes: the binding limit wins.
 */
export function forgeQuotaMinutes({
  makespanMs,
  events,
  writeUnits,
  readUnits = 0,
  kvsRequests = 0,
}: QuotaInput): number {
  return Math.max(
    makespanMs / 60_000,
    events / EVENTS_PER_MINUTE,
    writeUnits / WRITE_UNITS_PER_MINUTE,
    readUnits / READ_UNITS_PER_MINUTE,
    kvsRequests / (KVS_REQUESTS_PER_SECOND * 60),
  );
}

/** Which limit binds: the term of `forgeQuotaMinutes` that is largest. */
export function bindingLimit(
  input: QuotaInput,
): 'time' | 'events' | 'writeUnits' | 'readUnits' | 'kvsRequests' {
  const terms = {
    time: input.makespanMs / 60_000,
    events: input.events / EVENTS_PER_MINUTE,
    writeUnits: input.writeUnits / WRITE_UNITS_PER_MINUTE,
    readUnits: (input.readUnits ?? 0) / READ_UNITS_PER_MINUTE,
    kvsRequests: (input.kvsRequests ?? 0) / (KVS_REQUESTS_PER_SECOND * 60),
  };
  return (Object.keys(terms) as Array<keyof typeof terms>).reduce((a, b) => (terms[b] > terms[a] ? b : a));
}
