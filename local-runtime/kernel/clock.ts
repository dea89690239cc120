// Time for the runtime. A real clock for `npm start`; a virtual clock for tests and the simulation,
// which jumps straight to the next timer whenever the process has nothing else to do, so a day of
// retries and delays runs in milliseconds and the same seed always fires timers in the same order.

const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realDateNow = Date.now;

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  readonly kind: 'real' | 'virtual';
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Calls `callback` once `delayMs` of this clock's time has passed. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  /** Resolves after `delayMs` of this clock's time. */
  sleep(delayMs: number): Promise<void>;
  /** Resolves once no timer is pending (virtual), or at once (real). */
  idle(): Promise<void>;
  close(): void;
}

export class RealClock implements Clock {
  readonly kind = 'real';
  private readonly timers = new Set<ReturnType<typeof realSetTimeout>>();

  now(): number {
    return realDateNow();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = realSetTimeout(
      () => {
        this.timers.delete(timer);
        callback();
      },
      Math.max(0, delayMs),
    );
    this.timers.add(timer);
    return { cancel: () => (this.timers.delete(timer), realClearTimeout(timer)) };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(delayMs, resolve));
  }

  async idle(): Promise<void> {}

  close(): void {
    for (const timer of this.timers) realClearTimeout(timer);
    this.timers.clear();
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** Lets every pending promise chain run to completion before time moves on. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => realSetImmediate(resolve));
}

export class VirtualClock implements Clock {
  readonly kind = 'virtual';
  private current: number;
  private seq = 0;
  private readonly heap: VirtualTimer[] = [];
  private pumping = false;
  private closed = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  /** Whole milliseconds, like `Date.now()`; timers may fall between them. */
  now(): number {
    return Math.floor(this.current);
  }

  pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: VirtualTimer = {
      at: this.current + Math.max(0, delayMs),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.push(timer);
    this.pump();
    return { cancel: () => void (timer.cancelled = true) };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(delayMs, resolve));
  }

  idle(): Promise<void> {
    if (this.pendingTimers() === 0 && !this.pumping) return settle();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.heap.length = 0;
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  // Advances time to the earliest timer each time the process has settled, until no timer is left.
  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    void (async () => {
      try {
        for (;;) {
          await settle();
          if (this.closed) return;
          const next = this.pop();
          if (!next) break;
          if (next.at > this.current) this.current = next.at;
          next.callback();
        }
      } finally {
        this.pumping = false;
      }
      await settle();
      if (this.heap.length > 0) return this.pump();
      for (const waiter of this.idleWaiters.splice(0)) waiter();
    })();
  }

  private push(timer: VirtualTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): VirtualTimer | undefined {
    const heap = this.heap;
    for (;;) {
      if (heap.length === 0) return undefined;
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let smallest = i;
          if (l < heap.length && before(heap[l]!, heap[smallest]!)) smallest = l;
          if (r < heap.length && before(heap[r]!, heap[smallest]!)) smallest = r;
          if (smallest === i) break;
          [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
          i = smallest;
        }
      }
      if (!top.cancelled) return top;
    }
  }
}

function before(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
