// Forge's `concurrency: { key, limit }`: counters per installation, shared by every queue, of how
// many events with one key are running right now.

export interface ConcurrencySetting {
  key: string;
  limit: number;
}

export class ConcurrencySlots {
  private readonly running = new Map<string, number>();

  /** Takes a slot when fewer than the event's own `limit` events with its key are running. */
  tryAcquire(setting: ConcurrencySetting): boolean {
    const inUse = this.inUse(setting.key);
    if (inUse >= setting.limit) return false;
    this.running.set(setting.key, inUse + 1);
    return true;
  }

  release(key: string): void {
    const inUse = this.inUse(key);
    if (inUse <= 1) this.running.delete(key);
    else this.running.set(key, inUse - 1);
  }

  inUse(key: string): number {
    return this.running.get(key) ?? 0;
  }
}
