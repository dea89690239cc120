// Forge's per-installation limit on pushed events (500 per minute), as a sliding window.

const WINDOW_MS = 60_000;

export class EventRateLimiter {
  /** Accepted pushes in the window: when, and how many events. */
  private readonly recent: Array<{ at: number; events: number }> = [];

  constructor(private readonly eventsPerMinute: number) {}

  /** Records `events` at time `now` if they fit in the last minute's budget; false when they don't. */
  tryTake(events: number, now: number): boolean {
    while (this.recent.length > 0 && this.recent[0]!.at <= now - WINDOW_MS) this.recent.shift();
    const used = this.recent.reduce((sum, r) => sum + r.events, 0);
    if (used + events > this.eventsPerMinute) return false;
    this.recent.push({ at: now, events });
    return true;
  }
}
