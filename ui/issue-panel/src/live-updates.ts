// Keeps the panel's view current. Live: a Forge Realtime subscription to the issue's channel (a
// token from `getRealtimeToken`), reloading when a message names a newer version; no polling at
// all. Fallback: when subscribing fails, the stream breaks, or it goes quiet (an edit of this
// panel applied but no message for it came), the view is polled with backoff, and subscribing is
// retried with backoff; the first message or successful subscription stops the polling.
import {
  issueChangeMessage,
  type IssueChangeMessage,
  type RealtimeSubscription,
} from '../../../src/shared/resolver-api.js';

/** The first poll after falling back, doubled while nothing changes, up to the slowest. */
export const POLL_FIRST_MS = 2000;
export const POLL_MAX_MS = 30_000;
/** How long an applied edit may go unannounced before the subscription counts as quiet. */
export const QUIET_AFTER_MS = 3000;
/** Subscribing is retried this often, doubling, after a failure. */
export const RESUBSCRIBE_FIRST_MS = 2000;
export const RESUBSCRIBE_MAX_MS = 60_000;
/** A new token is fetched this long before the old one expires. */
const RENEW_BEFORE_MS = 60_000;

export type Mode = 'connecting' | 'live' | 'polling';

export interface LiveDeps {
  getToken(): Promise<RealtimeSubscription | undefined>;
  subscribe(
    channel: string,
    onEvent: (payload: unknown, error?: Error) => void,
    token: string,
  ): Promise<{ unsubscribe(): Promise<void> }>;
  /** Reloads the view; answers the version now shown (undefined when the load failed). */
  reload(): Promise<number | undefined>;
  /** The version of the view shown now. */
  version(): number;
  onMode?(mode: Mode): void;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
  now?(): number;
}

export class LiveUpdates {
  private mode: Mode = 'connecting';
  private subscription: { unsubscribe(): Promise<void> } | undefined;
  private pollTimer: unknown;
  private pollDelay = POLL_FIRST_MS;
  private resubscribeTimer: unknown;
  private resubscribeDelay = RESUBSCRIBE_FIRST_MS;
  private quietTimer: unknown;
  private renewTimer: unknown;
  /** The highest version a message announced. */
  private announced = 0;
  private generation = 0;
  /** The version an applied edit of this panel reached, awaited on the channel. */
  private expected = 0;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly now: () => number;

  constructor(private readonly deps: LiveDeps) {
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.now = deps.now ?? (() => Date.now());
  }

  get currentMode(): Mode {
    return this.mode;
  }

  /** Subscribes; on failure falls back to polling and retries later. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.clear('resubscribeTimer');
    this.clear('renewTimer');
    const old = this.subscription;
    this.subscription = undefined;
    if (old) void old.unsubscribe().catch(() => undefined);
    try {
      const grant = await this.deps.getToken();
      if (!grant) throw new Error('no token');
      const subscription = await this.deps.subscribe(
        grant.channel,
        (payload, error) => {
          if (generation === this.generation) this.onEvent(payload, error);
        },
        grant.token,
      );
      if (generation !== this.generation) return void subscription.unsubscribe().catch(() => undefined);
      this.subscription = subscription;
      this.resubscribeDelay = RESUBSCRIBE_FIRST_MS;
      const renewIn = Math.max(RESUBSCRIBE_FIRST_MS, grant.expiresAt * 1000 - RENEW_BEFORE_MS - this.now());
      this.renewTimer = this.setTimer(() => void this.start(), renewIn);
      // Changes made while no subscription listened are not replayed: read them once (the first
      // subscription comes before the panel's first load, which reads them).
      const first = this.mode === 'connecting';
      this.goLive();
      if (!first) void this.deps.reload();
    } catch {
      if (generation !== this.generation) return;
      this.fallBack();
      this.resubscribeTimer = this.setTimer(() => void this.start(), this.resubscribeDelay);
      this.resubscribeDelay = Math.min(this.resubscribeDelay * 2, RESUBSCRIBE_MAX_MS);
    }
  }

  /**
   * An edit of this panel was applied at `version`: if no message announces it soon, the
   * subscription is quiet (dropped without telling), so fall back and subscribe again.
   */
  expectVersion(version: number): void {
    if (this.mode !== 'live' || version <= this.announced) return;
    this.expected = Math.max(this.expected, version);
    this.clear('quietTimer');
    this.quietTimer = this.setTimer(() => {
      this.quietTimer = undefined;
      if (this.announced >= version || this.mode !== 'live') return;
      this.fallBack();
      void this.start();
    }, QUIET_AFTER_MS);
  }

  stop(): void {
    this.generation++;
    for (const timer of ['pollTimer', 'resubscribeTimer', 'quietTimer', 'renewTimer'] as const)
      this.clear(timer);
    void this.subscription?.unsubscribe().catch(() => undefined);
    this.subscription = undefined;
  }

  private onEvent(payload: unknown, error?: Error): void {
    if (error) {
      // The stream broke: poll meanwhile, and subscribe again.
      this.fallBack();
      this.resubscribeTimer = this.setTimer(() => void this.start(), this.resubscribeDelay);
      this.resubscribeDelay = Math.min(this.resubscribeDelay * 2, RESUBSCRIBE_MAX_MS);
      return;
    }
    const message = parseMessage(payload);
    if (!message) return;
    this.announced = Math.max(this.announced, message.version);
    if (this.announced >= this.expected) this.clear('quietTimer');
    this.goLive();
    if (message.version > this.deps.version()) void this.deps.reload();
  }

  private goLive(): void {
    this.clear('pollTimer');
    this.pollDelay = POLL_FIRST_MS;
    this.setMode('live');
  }

  private fallBack(): void {
    this.clear('quietTimer');
    if (this.mode === 'polling') return;
    this.setMode('polling');
    this.pollDelay = POLL_FIRST_MS;
    this.schedulePoll();
  }

  private schedulePoll(): void {
    this.clear('pollTimer');
    this.pollTimer = this.setTimer(() => void this.poll(), this.pollDelay);
  }

  private async poll(): Promise<void> {
    this.pollTimer = undefined;
    if (this.mode !== 'polling') return;
    const before = this.deps.version();
    const after = await this.deps.reload();
    if (this.mode !== 'polling') return;
    // Quick again after a change (more may follow), slower while nothing happens.
    this.pollDelay =
      after !== undefined && after > before ? POLL_FIRST_MS : Math.min(this.pollDelay * 2, POLL_MAX_MS);
    this.schedulePoll();
  }

  private setMode(mode: Mode): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.deps.onMode?.(mode);
  }

  private clear(timer: 'pollTimer' | 'resubscribeTimer' | 'quietTimer' | 'renewTimer'): void {
    if (this[timer] !== undefined) this.clearTimer(this[timer]);
    this[timer] = undefined;
  }
}

/** A message as published, whether the bridge hands it over as a string or already parsed. */
export function parseMessage(payload: unknown): IssueChangeMessage | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  const parsed = issueChangeMessage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
