// Forge's KVS quotas per installation (docs: limits-kvs-ce): requests per second, and read and
// write units per minute, where each request costs its size rounded up to 10 KB units (at least
// one). Windows are fixed seconds / minutes of the runtime clock, so virtual time drives them.
import type { Clock } from '../kernel/clock.js';

/** Forge's KVS quotas per installation. */
export interface QuotaOptions {
  requestsPerSecond: number;
  readUnitsPerMinute: number;
  writeUnitsPerMinute: number;
  /** Size of one read/write unit in bytes (10 KB). */
  unitBytes: number;
}

export const FORGE_QUOTAS: QuotaOptions = {
  requestsPerSecond: 1000,
  readUnitsPerMinute: 4000,
  writeUnitsPerMinute: 4000,
  unitBytes: 10 * 1024,
};

export type Access = 'read' | 'write';

export function unitsFor(bytes: number, unitBytes: number): number {
  return Math.max(1, Math.ceil(bytes / unitBytes));
}

interface Window {
  start: number;
  used: number;
}

export class QuotaMeter {
  private readonly limits: QuotaOptions | undefined;
  private readonly requests: Window = { start: -1, used: 0 };
  private readonly units: Record<Access, Window> = {
    read: { start: -1, used: 0 },
    write: { start: -1, used: 0 },
  };

  constructor(
    options: Partial<QuotaOptions> | false,
    private readonly clock: Clock,
  ) {
    this.limits = options === false ? undefined : { ...FORGE_QUOTAS, ...options };
  }

  get unitBytes(): number {
    return this.limits?.unitBytes ?? FORGE_QUOTAS.unitBytes;
  }

  /**
   * Admits one request, counting it against the per-second window. A write must fit its known
   * units in the minute's budget; a read is admitted while budget is left and pays afterwards
   * (`charge`), since its size is known only once it has been read.
   */
  admit(access: Access, knownUnits: number): boolean {
    if (!this.limits) return true;
    const now = this.clock.now();
    const second = roll(this.requests, Math.floor(now / 1000));
    const minute = roll(this.units[access], Math.floor(now / 60_000));
    const budget = access === 'read' ? this.limits.readUnitsPerMinute : this.limits.writeUnitsPerMinute;
    if (second.used + 1 > this.limits.requestsPerSecond) return false;
    if (access === 'write' ? minute.used + knownUnits > budget : minute.used >= budget) return false;
    second.used += 1;
    return true;
  }

  charge(access: Access, units: number): void {
    if (!this.limits) return;
    roll(this.units[access], Math.floor(this.clock.now() / 60_000)).used += units;
  }
}

function roll(window: Window, start: number): Window {
  if (window.start !== start) {
    window.start = start;
    window.used = 0;
  }
  return window;
}
