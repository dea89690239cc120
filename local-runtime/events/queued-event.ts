// One accepted event inside the emulator, and the Forge-shaped event its consumer receives.
import type { TimerHandle } from '../kernel/clock.js';
import type { ConcurrencySetting } from './concurrency-slots.js';

export type EventState = 'scheduled' | 'held-back' | 'retrying' | 'in-flight';

export interface QueuedEvent {
  readonly eventId: string;
  readonly jobId: string;
  readonly queueName: string;
  readonly functionKey: string;
  /** The body as it crossed the wire; each delivery gets a fresh copy. */
  readonly bodyJson: string;
  readonly delayInSeconds?: number;
  readonly concurrency?: ConcurrencySetting;
  /** When the event was first accepted: the start of its retention window. */
  readonly publishedAt: number;
  /** The push chain it belongs to (cyclic invocation limit). */
  readonly chain: number;
  /** Publish order, so views list events the same way every run. */
  readonly seq: number;
  /** A second delivery of an event (at-least-once): runs once, is never retried, and is not in job stats. */
  readonly duplicate: boolean;
  state: EventState;
  /** When the next attempt starts (or, in flight, when this one started). */
  dueAt: number;
  retryCount: number;
  retryReason?: string;
  retryData?: unknown;
  /** Consecutive concurrency hold-backs, and consecutive failed invocations: each backs off on its own. */
  heldBack: number;
  failures: number;
  timer?: TimerHandle;
}

/** `retryContext` of `@forge/events` `types.d.ts`. */
export interface RetryContext {
  retryCount: number;
  retryReason: string;
  retryData: unknown;
  retentionWindow: { startTime: string; remainingTimeMs: number };
}

/** The first argument of a consumer: `AsyncEvent` of `@forge/events` `types.d.ts`. */
export interface ForgeAsyncEvent {
  body: Record<string, unknown>;
  queueName: string;
  jobId: string;
  eventId: string;
  delayInSeconds?: number;
  concurrency?: ConcurrencySetting;
  retryContext?: RetryContext;
}

/** The second argument of a consumer. */
export const CONSUMER_CONTEXT = { installContext: 'ari:cloud:jira::site/local-site' } as const;

export function toForgeEvent(event: QueuedEvent, now: number, retentionMs: number): ForgeAsyncEvent {
  const out: ForgeAsyncEvent = {
    body: JSON.parse(event.bodyJson) as Record<string, unknown>,
    queueName: event.queueName,
    jobId: event.jobId,
    eventId: event.eventId,
  };
  if (event.delayInSeconds !== undefined) out.delayInSeconds = event.delayInSeconds;
  if (event.concurrency) out.concurrency = { ...event.concurrency };
  // Forge adds retryContext only to retries.
  if (event.retryCount > 0) {
    out.retryContext = {
      retryCount: event.retryCount,
      retryReason: event.retryReason ?? 'FUNCTION_RETRY_REQUEST',
      retryData:
        event.retryData === undefined ? undefined : (JSON.parse(JSON.stringify(event.retryData)) as unknown),
      retentionWindow: {
        startTime: new Date(event.publishedAt).toISOString(),
        remainingTimeMs: Math.max(0, event.publishedAt + retentionMs - now),
      },
    };
  }
  return out;
}
