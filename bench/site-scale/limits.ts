// Forge's per-installation limits that a stream of commands uses up, each in the unit the docs
// give it. Sources and the differences between snapshots: docs/site-scale.md#the-limits.

/** What one command (or one report issue) uses of each metered resource. */
export const METERS = ['events', 'kvsRequests', 'readUnits', 'writeUnits'] as const;
export type Meter = (typeof METERS)[number];

export interface InstallationLimit {
  meter: Meter;
  /** The limit as documented, in its own window. */
  limit: number;
  windowSeconds: 1 | 60;
  /** How the docs name it. */
  label: string;
}

export const INSTALLATION_LIMITS: Record<Meter, InstallationLimit> = {
  events: { meter: 'events', limit: 500, windowSeconds: 60, label: 'async events pushed, 500 a minute' },
  kvsRequests: {
    meter: 'kvsRequests',
    limit: 1_000,
    windowSeconds: 1,
    label: 'KVS requests, 1,000 a second',
  },
  readUnits: {
    meter: 'readUnits',
    limit: 4_000,
    windowSeconds: 60,
    label: 'KVS read units (10 KB), 4,000 a minute',
  },
  writeUnits: {
    meter: 'writeUnits',
    limit: 4_000,
    windowSeconds: 60,
    label: 'KVS write units (10 KB), 4,000 a minute',
  },
};

/** The limit over one minute, so every meter compares on the same window (a per-second limit x 60). */
export function perMinute(limit: InstallationLimit): number {
  return (limit.limit * 60) / limit.windowSeconds;
}
