// PLACEHOLDER INTERFACE — the events helper replaces this body. Exported names and types are the contract.
import type { Invocation } from '../kernel/invocation.js';
import type { ServiceContext } from '../kernel/service-context.js';
import type { FunctionRunner } from '../functions/function-runner.js';
import type { AppManifest } from '../manifest/app-manifest.js';

export interface EventsOptions {
  /** Events per minute per installation before pushes answer 429. Forge: 500. */
  eventsPerMinute: number;
  /** How long an event may keep being retried before it is dropped. Forge: 24 h. */
  retentionMs: number;
}

export interface QueuedEventView {
  eventId: string;
  jobId: string;
  queueName: string;
  body: Record<string, unknown>;
  state: 'scheduled' | 'held-back' | 'retrying' | 'in-flight';
  dueAt: number;
  retryCount: number;
  concurrencyKey?: string;
}

export interface EventsEmulator {
  /** Serves `/webhook/queue/{publish,stats,cancel}/...` from `@forge/events`. */
  fetch(path: string, init: RequestInit | undefined, invocation: Invocation): Promise<Response>;
  /** Events waiting (scheduled, held back or retrying). */
  pending(): number;
  /** Events whose consumer is running now. */
  inFlight(): number;
  /** A view of every event not yet finished, for the console and assertions. */
  snapshot(): QueuedEventView[];
  close(): void;
}

export function createEvents(
  _ctx: ServiceContext,
  _options: { manifest: AppManifest; functions: FunctionRunner } & Partial<EventsOptions>,
): EventsEmulator {
  throw new Error('not implemented yet');
}
