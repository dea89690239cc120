// The local emulation of Forge's async events, served to the real `@forge/events` package: this
// file wires the parts together and keeps the public contract. Semantics live in `publisher.ts`
// (pushes) and `delivery-engine.ts` (delivery, retries, concurrency); `events-wire.ts` is the HTTP.
import type { FunctionRunner } from '../functions/function-runner.js';
import type { Invocation } from '../kernel/invocation.js';
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import { DeliveryEngine, type DroppedEventView } from './delivery-engine.js';
import type { DeliveryListener } from './delivery-listener.js';
import { serveEvents, type EventsService } from './events-wire.js';
import { JobRegistry, type JobStats, type JobView } from './job-registry.js';
import { Publisher } from './publisher.js';
import { CYCLIC_PUSH_LIMIT, PushChains } from './push-chain.js';
import { EventRateLimiter } from './rate-limiter.js';
import type { HoldBackModel } from './hold-back.js';

export type { DroppedEventView } from './delivery-engine.js';
export type {
  ConsumerDelivery,
  DeliveryListener,
  DeliveryOutcomeKind,
  InjectedFaultKind,
  InjectedFaults,
  KvsRequests,
} from './delivery-listener.js';
export type { JobStats, JobView } from './job-registry.js';
export type { ForgeAsyncEvent, RetryContext } from './queued-event.js';
export { PLATFORM_RETRY_BACKOFF } from './backoff.js';
export { MAX_RETRY_DATA_BYTES, PLATFORM_ERROR_REASON, PLATFORM_FAILURE_REASONS } from './attempt-outcome.js';
export { DUPLICATE_MAX_GAP_MS } from './delivery-engine.js';

export interface EventsOptions {
  /** Events per minute per installation before pushes answer 429. Forge: 500. */
  eventsPerMinute: number;
  /** How long an event may keep being retried before it is dropped. Forge: 24 h. */
  retentionMs: number;
  /**
   * How much retries after platform-level errors may add to an event's retention window. Forge:
   * 72 h, "to a total of 96 hours" (docs: async-events-api, "Extending retention window").
   */
  maxRetentionExtensionMs: number;
  /** Push requests per chain started by one initial invocation before pushes answer 405. Forge: 1000. */
  cyclicPushLimit: number;
  /** How long an event over its concurrency limit is held back (undocumented; see hold-back.ts). */
  holdBack: HoldBackModel;
}

export const DEFAULT_EVENTS_OPTIONS: EventsOptions = {
  eventsPerMinute: 500,
  retentionMs: 24 * 60 * 60 * 1000,
  maxRetentionExtensionMs: 72 * 60 * 60 * 1000,
  cyclicPushLimit: CYCLIC_PUSH_LIMIT,
  holdBack: 'doubling-4s',
};

export interface QueuedEventView {
  eventId: string;
  jobId: string;
  queueName: string;
  body: Record<string, unknown>;
  state: 'scheduled' | 'held-back' | 'retrying' | 'in-flight';
  dueAt: number;
  retryCount: number;
  concurrencyKey?: string;
  /** A second, at-least-once delivery of an event. */
  duplicate?: boolean;
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
  /** Events dropped because their retention window ran out, oldest first. */
  dropped(): DroppedEventView[];
  /**
   * Events whose retention window, stretched by platform-level errors, ran out: Forge does not drop
   * them but no longer retries them. Oldest first.
   */
  stranded(): DroppedEventView[];
  /** Every job (push call) so far with its stats. */
  jobs(): JobView[];
  /** One job's stats, as `getStats()` answers them; undefined for an unknown job. */
  jobStats(jobId: string): JobStats | undefined;
  /**
   * Calls `listener` after each consumer delivery (duplicates included) with its outcome and the
   * faults injected into it; returns a function that stops it. No listener, no cost.
   */
  onDelivery(listener: DeliveryListener): () => void;
  close(): void;
}

export function createEvents(
  ctx: ServiceContext,
  options: { manifest: AppManifest; functions: FunctionRunner } & Partial<EventsOptions>,
): EventsEmulator {
  const settings: EventsOptions = {
    eventsPerMinute: options.eventsPerMinute ?? DEFAULT_EVENTS_OPTIONS.eventsPerMinute,
    retentionMs: options.retentionMs ?? DEFAULT_EVENTS_OPTIONS.retentionMs,
    maxRetentionExtensionMs:
      options.maxRetentionExtensionMs ?? DEFAULT_EVENTS_OPTIONS.maxRetentionExtensionMs,
    cyclicPushLimit: options.cyclicPushLimit ?? DEFAULT_EVENTS_OPTIONS.cyclicPushLimit,
    holdBack: options.holdBack ?? DEFAULT_EVENTS_OPTIONS.holdBack,
  };
  // One stream for the service; ids keep their own sub-stream so timing draws never shift them.
  const random = ctx.random.fork('events');
  const jobs = new JobRegistry();
  const chains = new PushChains(settings.cyclicPushLimit);
  const engine = new DeliveryEngine({
    ctx,
    functions: options.functions,
    jobs,
    chains,
    retentionMs: settings.retentionMs,
    maxRetentionExtensionMs: settings.maxRetentionExtensionMs,
    holdBack: settings.holdBack,
    random: random.fork('delivery'),
  });
  const publisher = new Publisher({
    ctx,
    manifest: options.manifest,
    engine,
    jobs,
    chains,
    limiter: new EventRateLimiter(settings.eventsPerMinute),
    ids: random,
    random: random.fork('push'),
  });
  let closed = false;

  const service: EventsService = {
    publish: (body) => publisher.publish(body),
    jobStats: (queueName, jobId) => {
      const stats = jobs.stats(queueName, jobId);
      ctx.trace.record('event', {
        step: 'stats',
        job: ctx.trace.stableId('job', jobId),
        found: stats !== undefined,
        ...stats,
      });
      return stats;
    },
    cancelJob: (queueName, jobId) => {
      if (!jobs.has(queueName, jobId)) return false;
      jobs.markCancelled(jobId);
      const cancelled = engine.cancel(jobId);
      ctx.trace.record('event', { step: 'cancel', job: ctx.trace.stableId('job', jobId), cancelled });
      return true;
    },
  };

  return {
    async fetch(path, init) {
      if (closed) throw new Error('The events emulator is closed');
      return serveEvents(service, path, init);
    },
    pending: () => engine.pending(),
    inFlight: () => engine.inFlight(),
    snapshot: () =>
      engine.events().map((event) => ({
        eventId: event.eventId,
        jobId: event.jobId,
        queueName: event.queueName,
        body: JSON.parse(event.bodyJson) as Record<string, unknown>,
        state: event.state,
        dueAt: event.dueAt,
        retryCount: event.retryCount,
        ...(event.concurrency ? { concurrencyKey: event.concurrency.key } : {}),
        ...(event.duplicate ? { duplicate: true } : {}),
      })),
    dropped: () => [...engine.dropped()],
    stranded: () => [...engine.stranded()],
    jobs: () => jobs.views(),
    jobStats: (jobId) => {
      const job = jobs.views().find((j) => j.jobId === jobId);
      return job && { success: job.success, inProgress: job.inProgress, failed: job.failed };
    },
    onDelivery: (listener) => engine.onDelivery(listener),
    close() {
      closed = true;
      engine.close();
    },
  };
}
