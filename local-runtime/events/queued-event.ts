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
  /** Retries after a retry request or an app-level error; platform-level errors leave it alone. */
  retryCount: number;
  /** Retries after platform-level errors (they get a retryContext, but not a higher retryCount). */
  platformRetries: number;
  retryReason?: string;
  retryData?: unknown;
  /**
   * Consecutive concurrency hold-backs, consecutive failed invocations, and consecutive
   * platform-level errors: each backs off on its own.
   */
  heldBack: number;
  failures: number;
  platformFailures: number;
  /** How much platform-level errors have stretched the retention window so far (at most 72 h). */
  retentionExtensionMs: number;
  timer?: TimerHandle;
}

/** When the event's retention window ends: 24 h from its push, plus what platform errors added. */
export function retentionEnd(event: QueuedEvent, retentionMs: number): number {
  return event.publishedAt + retentionMs + event.retentionExtensionMs;
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

export function toForgeEvent(event: QueuedEvent, now: number, retentionMs: number): ForgeAsyncEvent {
  const out: ForgeAsyncEvent = {
    body: JSON.parse(event.bodyJson) as Record<string, unknown>,
    queueName: event.queueName,
    jobId: event.jobId,
    eventId: event.eventId,
  };
  if (event.delayInSeconds !== undefined) out.delayInSeconds = event.delayInSeconds;
  if (event.concurrency) out.concurrency = { ...event.concurrency };
  // Forge adds retryContext only to retries, whatever caused them.
  if (event.retryCount > 0 || event.platformRetries > 0) {
    out.retryContext = {
      retryCount: event.retryCount,
      retryReason: event.retryReason ?? 'FUNCTION_RETRY_REQUEST',
      retryData:
        event.retryData === undefined ? undefined : (JSON.parse(JSON.stringify(event.retryData)) as unknown),
      retentionWindow: {
        startTime: new Date(event.publishedAt).toISOString(),
        // "including any extensions" (docs: RetentionWindow reference)
        remainingTimeMs: Math.max(0, retentionEnd(event, retentionMs) - now),
      },
    };
  }
  return out;
}
