// Forge's per-installation rate limits turned into time: how long a workload takes at the least
// when it is held to them. The runtime's own quotas are off in the bench; this projects them.

/** Forge: async events pushed per minute per installation. */
export const EVENTS_PER_MINUTE = 500;
/** Forge: KVS write units per minute per installation. */
export const WRITE_UNITS_PER_MINUTE = 4_000;

export interface QuotaInput {
  makespanMs: number;
  events: number;
  writeUnits: number;
}

/** max(makespan, events / 500, write units / 4000), in minutes: the binding limit wins. */
export function forgeQuotaMinutes({ makespanMs, events, writeUnits }: QuotaInput): number {
  return Math.max(makespanMs / 60_000, events / EVENTS_PER_MINUTE, writeUnits / WRITE_UNITS_PER_MINUTE);
}
