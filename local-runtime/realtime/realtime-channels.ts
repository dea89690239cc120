// Realtime channels, apart from any wire: who listens to which channel, and what a publish reaches.
// A channel is its installation, whether it is global, its name, and the claims of the token it
// was used with: a global channel is "only secured by the token", and an event reaches only the
// subscriptions made with a token carrying the same claims (docs: authorizing-realtime-channels).
// A publish nobody listens to is dropped and answers no event id (docs: realtime-events-api).

export interface ChannelScope {
  installationId: string;
  global: boolean;
  name: string;
  /** The token's claims, or undefined for a channel used without a token. */
  claims: Record<string, unknown> | undefined;
}

export interface RealtimeEvent {
  eventId: string;
  eventTimestamp: string;
  /** As published: `@forge/realtime` sends the payload JSON-encoded. */
  payload: string;
}

export type Listener = (event: RealtimeEvent) => void;

export class RealtimeChannels {
  private readonly listeners = new Map<string, Set<Listener>>();
  private nextEventId = 0;

  subscribe(scope: ChannelScope, listener: Listener): () => void {
    const key = channelKey(scope);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** Delivers to every current subscriber; undefined (no event) when there is none. */
  publish(scope: ChannelScope, payload: string, nowMs: number): { event?: RealtimeEvent; reached: number } {
    const set = this.listeners.get(channelKey(scope));
    if (!set || set.size === 0) return { reached: 0 };
    const event: RealtimeEvent = {
      eventId: `rt-${++this.nextEventId}`,
      eventTimestamp: new Date(nowMs).toISOString(),
      payload,
    };
    for (const listener of [...set]) listener(event);
    return { event, reached: set.size };
  }

  subscriptions(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  close(): void {
    this.listeners.clear();
  }
}

/** Claims match exactly, whatever the order of their keys. */
function channelKey(scope: ChannelScope): string {
  return JSON.stringify([scope.installationId, scope.global, scope.name, canonical(scope.claims ?? null)]);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}
