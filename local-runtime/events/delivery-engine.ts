// The semantics of Forge's async event delivery: when each accepted event runs, what its consumer's
// outcome leads to (success, requested retry, retry after an app-level or a platform-level error,
// drop), the retention window and its extension, concurrency hold-backs, at-least-once duplicates
// and reordering, and cancellation. It knows nothing of HTTP.
import type { FunctionRunner, InvokeOutcome } from '../functions/function-runner.js';
import { noteInjectedFault, tallyOf, watchInvocation } from '../kernel/invocation-tally.js';
import type { Invocation } from '../kernel/invocation.js';
import { sampleDelay } from '../kernel/latency.js';
import type { SeededRandom } from '../kernel/random.js';
import type { ServiceContext } from '../kernel/service-context.js';
import { classifyOutcome, MAX_RETRY_DATA_BYTES, PLATFORM_ERROR_REASON } from './attempt-outcome.js';
import { backoffDelay } from './backoff.js';
import { holdBackDelay, type HoldBackModel } from './hold-back.js';
import { ConcurrencySlots } from './concurrency-slots.js';
import type { DeliveryListener, DeliveryOutcomeKind } from './delivery-listener.js';
import type { JobRegistry } from './job-registry.js';
import type { PushChains } from './push-chain.js';
import type { ValidEvent } from './push-validation.js';
import { retentionEnd, toForgeEvent, type EventState, type QueuedEvent } from './queued-event.js';

/**
 * The local runtime's choice (Forge documents no number): a duplicate delivery starts up to this
 * long after the original, so it may overlap the original run or come after it.
 */
export const DUPLICATE_MAX_GAP_MS = 5_000;

export interface DroppedEventView {
  eventId: string;
  jobId: string;
  queueName: string;
  body: Record<string, unknown>;
  retryCount: number;
  lastRetryReason?: string;
  publishedAt: number;
  droppedAt: number;
  reason: string;
}

/** One consumer run being watched: when it started and the invocation it ran in. */
interface WatchedRun {
  startedAt: number;
  /** The event's retryCount when this attempt began (a retry planned at its end raises it). */
  retryCount: number;
  invocation?: Invocation;
}

/** What made an attempt necessary: the app's own doing, or the platform's trouble. */
type RetryCause = 'app' | 'platform';

export interface DeliveryEngineDeps {
  ctx: ServiceContext;
  functions: FunctionRunner;
  jobs: JobRegistry;
  chains: PushChains;
  retentionMs: number;
  /** How far platform-level errors may stretch an event's retention window (Forge: 72 h). */
  maxRetentionExtensionMs: number;
  /** Draws for delivery latency, backoff jitter, duplicates and reordering. */
  random: SeededRandom;
  /** How long an event over its concurrency limit waits before the next try. */
  holdBack: HoldBackModel;
}

export class DeliveryEngine {
  private readonly ctx: ServiceContext;
  private readonly slots = new ConcurrencySlots();
  /** Every event not yet finished, in the order it was accepted. */
  private readonly active = new Set<QueuedEvent>();
  private readonly droppedEvents: DroppedEventView[] = [];
  private readonly strandedEvents: DroppedEventView[] = [];
  private readonly listeners: DeliveryListener[] = [];
  private seq = 0;
  private closed = false;

  constructor(private readonly deps: DeliveryEngineDeps) {
    this.ctx = deps.ctx;
  }

  /** Takes the accepted events of one push and schedules their first delivery. */
  accept(
    jobId: string,
    queueName: string,
    functionKey: string,
    chain: number,
    events: ReadonlyArray<{ eventId: string; event: ValidEvent }>,
  ): void {
    const now = this.ctx.clock.now();
    for (const { eventId, event } of events) {
      const queued: QueuedEvent = {
        eventId,
        jobId,
        queueName,
        functionKey,
        bodyJson: JSON.stringify(event.body),
        publishedAt: now,
        chain,
        seq: this.seq++,
        duplicate: false,
        state: 'scheduled',
        dueAt: now,
        retryCount: 0,
        platformRetries: 0,
        heldBack: 0,
        failures: 0,
        platformFailures: 0,
        retentionExtensionMs: 0,
        ...(event.delayInSeconds !== undefined ? { delayInSeconds: event.delayInSeconds } : {}),
        ...(event.concurrency ? { concurrency: event.concurrency } : {}),
      };
      this.active.add(queued);
      const delayMs = Math.round((event.delayInSeconds ?? 0) * 1000);
      const delivery = this.faults().reorder > 0 ? this.reorderDelay() : 0;
      this.schedule(queued, 'scheduled', delayMs, delivery, 'publish');
    }
  }

  /**
   * Skips the job's events that have not started; returns how many. An event running now finishes;
   * if it then asks for (or needs) a retry, that retry is skipped too (see `retry`).
   */
  cancel(jobId: string): number {
    let cancelled = 0;
    for (const event of [...this.active]) {
      if (event.jobId !== jobId || event.state === 'in-flight') continue;
      event.timer?.cancel();
      this.active.delete(event);
      if (!event.duplicate) {
        cancelled++;
        this.deps.jobs.setStatus(jobId, event.eventId, 'cancelled');
      }
    }
    this.ctx.counters.add('events.cancelled', cancelled);
    return cancelled;
  }

  pending(): number {
    let n = 0;
    for (const event of this.active) if (event.state !== 'in-flight') n++;
    return n;
  }

  inFlight(): number {
    return this.active.size - this.pending();
  }

  events(): readonly QueuedEvent[] {
    return [...this.active].sort((a, b) => a.seq - b.seq);
  }

  dropped(): readonly DroppedEventView[] {
    return this.droppedEvents;
  }

  /** Events whose window, stretched by platform errors, ran out: not dropped, no longer retried. */
  stranded(): readonly DroppedEventView[] {
    return this.strandedEvents;
  }

  /** Calls `listener` after each consumer delivery; returns a function that stops it. */
  onDelivery(listener: DeliveryListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  close(): void {
    this.closed = true;
    for (const event of this.active) event.timer?.cancel();
  }

  private faults() {
    return this.ctx.faults.delivery;
  }

  /** An extra delay that lets later events overtake this one, when the reorder fault fires. */
  private reorderDelay(): number {
    const { reorder, reorderMaxDelayMs } = this.faults();
    if (!this.deps.random.chance(reorder)) return 0;
    return this.deps.random.int(1, Math.max(1, reorderMaxDelayMs));
  }

  /**
   * Plans the next attempt: due after `dueInMs`, started after the delivery latency plus `extraMs`.
   * An attempt that would start after the retention window is not made: the event is dropped, or,
   * when platform-level errors ran the window out, stranded (`cause`). `beforeArm` runs only when
   * the attempt is really planned. Returns whether it was.
   */
  private schedule(
    event: QueuedEvent,
    state: EventState,
    dueInMs: number,
    extraMs: number,
    why: string,
    beforeArm?: () => void,
    cause: RetryCause = 'app',
  ): boolean {
    const now = this.ctx.clock.now();
    const startInMs = dueInMs + sampleDelay(this.ctx.latency.delivery, this.deps.random) + extraMs;
    if (now + startInMs > retentionEnd(event, this.deps.retentionMs)) {
      const window = this.deps.retentionMs + event.retentionExtensionMs;
      const reason = `its next attempt would start after the ${window} ms retention window`;
      if (cause === 'platform') this.strand(event, reason);
      else this.drop(event, reason);
      return false;
    }
    beforeArm?.();
    event.state = state;
    event.dueAt = now + startInMs;
    event.timer = this.ctx.clock.setTimer(startInMs, () => this.start(event));
    this.trace('schedule', event, { state, why, inMs: startInMs });
    return true;
  }

  private start(event: QueuedEvent): void {
    event.timer = undefined;
    if (this.closed || !this.active.has(event)) return;
    const { concurrency } = event;
    // Over the limit, the platform (not the consumer) retries later: the local choice is that this
    // neither raises retryCount nor adds a retryContext, since the consumer never saw the event.
    if (concurrency && !this.slots.tryAcquire(concurrency)) {
      this.ctx.counters.add('events.heldBack');
      this.trace('held-back', event, {
        key: concurrency.key,
        limit: concurrency.limit,
        running: this.slots.inUse(concurrency.key),
      });
      const delay = holdBackDelay(this.deps.holdBack, event.heldBack++, this.deps.random);
      this.schedule(event, 'held-back', delay, 0, 'concurrency');
      return;
    }
    event.heldBack = 0;
    event.state = 'in-flight';
    event.dueAt = this.ctx.clock.now();
    // A platform-level error strikes this attempt: before the consumer runs, or after (below).
    const platformError = !event.duplicate && this.deps.random.chance(this.faults().platformError);
    if (platformError && this.deps.random.chance(0.5)) {
      this.failInPlatform(event, 'before its consumer ran');
      return;
    }
    this.ctx.counters.add('events.delivered');
    this.trace('deliver', event, { functionKey: event.functionKey });
    if (!event.duplicate && this.deps.random.chance(this.faults().duplicate)) this.scheduleDuplicate(event);
    const forgeEvent = toForgeEvent(event, this.ctx.clock.now(), this.deps.retentionMs);
    // Watched only when someone listens: otherwise a delivery costs nothing more.
    const run: WatchedRun | undefined =
      this.listeners.length > 0
        ? { startedAt: this.ctx.clock.now(), retryCount: event.retryCount }
        : undefined;
    const invoke = (): Promise<InvokeOutcome> =>
      this.deps.functions.invokeConsumer(
        event.queueName,
        forgeEvent,
        run &&
          ((invocation) => {
            run.invocation = invocation;
            watchInvocation(invocation);
          }),
      );
    // A consumer that cannot even be loaded fails like one that threw.
    void this.deps.chains
      .run(event.chain, invoke)
      .catch((error: unknown): InvokeOutcome => ({ status: 'threw', error }))
      .then((outcome) => {
        if (platformError) this.failInPlatform(event, `after its consumer ${outcome.status}`);
        else this.finish(event, outcome);
        if (run && !this.closed) this.report(event, run, outcome, platformError);
      });
  }

  /**
   * A platform-level error (docs: async-events-api, "Platform level errors": internal server
   * errors, internal rate limiting). The platform retries with backoff; "Platform-level errors do
   * not increment" `retryCount`; and the retention window "is extended due to [...] retries
   * triggered by platform level errors [...] by another 72 hours, to a total of 96 hours". The local
   * choice of how much: each such retry extends it by its own wait, up to the 72 h.
   */
  private failInPlatform(event: QueuedEvent, when: string): void {
    if (this.closed) return;
    if (event.concurrency) this.slots.release(event.concurrency.key);
    this.ctx.counters.add('events.platformErrors');
    this.ctx.log(
      `[events] platform error on ${event.eventId} ${when}; the platform retries it (retryCount stays ${event.retryCount})`,
    );
    const delay = backoffDelay(event.platformFailures++, this.deps.random);
    event.retentionExtensionMs = Math.min(
      this.deps.maxRetentionExtensionMs,
      event.retentionExtensionMs + delay,
    );
    this.retry(event, PLATFORM_ERROR_REASON, delay, 'platform-error', 'platform');
  }

  private report(event: QueuedEvent, run: WatchedRun, outcome: InvokeOutcome, platformError: boolean): void {
    if (outcome.status === 'crashed') noteInjectedFault('crash', run.invocation);
    if (platformError) noteInjectedFault('platformError', run.invocation);
    const kind: DeliveryOutcomeKind = platformError ? 'platformError' : classifyOutcome(outcome).kind;
    const delivery = {
      eventId: event.eventId,
      jobId: event.jobId,
      queueName: event.queueName,
      body: JSON.parse(event.bodyJson) as Record<string, unknown>,
      duplicate: event.duplicate,
      retryCount: run.retryCount,
      startedAt: run.startedAt,
      endedAt: this.ctx.clock.now(),
      outcome: kind,
      ...tallyOf(run.invocation),
    };
    for (const listener of [...this.listeners]) listener(delivery);
  }

  /** At-least-once: the same event (same eventId, same retry context) is delivered once more. */
  private scheduleDuplicate(event: QueuedEvent): void {
    const twin: QueuedEvent = {
      ...event,
      duplicate: true,
      seq: this.seq++,
      timer: undefined,
      heldBack: 0,
      failures: 0,
      platformFailures: 0,
    };
    this.active.add(twin);
    this.ctx.counters.add('events.duplicated');
    this.schedule(twin, 'scheduled', 0, this.deps.random.int(0, DUPLICATE_MAX_GAP_MS), 'duplicate');
  }

  private finish(event: QueuedEvent, outcome: InvokeOutcome): void {
    if (this.closed) return;
    if (event.concurrency) this.slots.release(event.concurrency.key);
    const result = classifyOutcome(outcome);
    // The consumer ran and its outcome counts: platform errors are no longer consecutive.
    event.platformFailures = 0;
    if (event.duplicate) {
      // A duplicate's outcome is not the event's: the original carries the retries and the stats.
      this.trace('duplicate-done', event, { outcome: result.kind });
      this.active.delete(event);
      return;
    }
    switch (result.kind) {
      case 'success':
        this.ctx.counters.add('events.succeeded');
        this.trace('success', event, {});
        this.active.delete(event);
        this.deps.jobs.setStatus(event.jobId, event.eventId, 'success');
        return;
      case 'retryRequested':
        this.ctx.counters.add('events.retryRequested');
        if (result.retryDataRefused) {
          // The local choice (acceptRetryData): the retry is made, without the retryData.
          this.ctx.counters.add('events.retryDataRefused');
          this.ctx.log(
            `[events] ${event.eventId}: retryData ${
              result.retryDataRefused === 'over-4-kb'
                ? `is ${result.retryDataBytes} bytes, over Forge's ${MAX_RETRY_DATA_BYTES}`
                : 'is not an object'
            }; the retry goes without it`,
          );
        }
        event.failures = 0;
        event.retryData = result.retryData;
        this.retry(event, result.retryReason, result.retryAfterMs, 'requested');
        return;
      case 'failed': {
        this.ctx.counters.add('events.failedInvocations');
        this.ctx.log(
          `[events] ${event.functionKey} failed on ${event.eventId} (${result.detail}); the platform retries it`,
        );
        this.retry(event, result.retryReason, backoffDelay(event.failures++, this.deps.random), 'platform');
        return;
      }
    }
  }

  /**
   * Plans the retry of an attempt. App-level (`cause` 'app': a request, a throw, a crash, a
   * time-out) raises retryCount; platform-level does not. Only the latter may strand the event.
   */
  private retry(
    event: QueuedEvent,
    reason: string,
    delayMs: number,
    why: string,
    cause: RetryCause = 'app',
  ): void {
    this.trace('outcome', event, { retry: why, reason, inMs: delayMs });
    if (this.deps.jobs.isCancelled(event.jobId)) {
      // The job was cancelled while this attempt ran: no further attempt.
      this.active.delete(event);
      this.deps.jobs.setStatus(event.jobId, event.eventId, 'cancelled');
      this.ctx.counters.add('events.cancelled');
      this.trace('cancelled', event, {});
      return;
    }
    const armed = this.schedule(
      event,
      'retrying',
      delayMs,
      0,
      why,
      () => {
        if (cause === 'platform') event.platformRetries++;
        else event.retryCount++;
        event.retryReason = reason;
      },
      cause,
    );
    if (armed) this.ctx.counters.add('events.retried');
  }

  /**
   * "If the retention window is exceeded due to platform level errors, the Async Event is not
   * dropped but will no longer be retried automatically" (docs): it leaves the queue without
   * counting as dropped, and its job keeps it in progress.
   */
  private strand(event: QueuedEvent, reason: string): void {
    event.timer?.cancel();
    this.active.delete(event);
    if (event.duplicate) return;
    this.ctx.counters.add('events.stranded');
    this.strandedEvents.push(this.view(event, reason));
    this.ctx.log(
      `[events] ${event.eventId} of queue '${event.queueName}' is no longer retried after ${event.platformRetries} platform retries: ${reason}`,
    );
    this.trace('stranded', event, { platformRetries: event.platformRetries });
  }

  private view(event: QueuedEvent, reason: string): DroppedEventView {
    return {
      eventId: event.eventId,
      jobId: event.jobId,
      queueName: event.queueName,
      body: JSON.parse(event.bodyJson) as Record<string, unknown>,
      retryCount: event.retryCount,
      ...(event.retryReason !== undefined ? { lastRetryReason: event.retryReason } : {}),
      publishedAt: event.publishedAt,
      droppedAt: this.ctx.clock.now(),
      reason,
    };
  }

  private drop(event: QueuedEvent, reason: string): void {
    event.timer?.cancel();
    this.active.delete(event);
    if (event.duplicate) return;
    this.ctx.counters.add('events.dropped');
    this.deps.jobs.setStatus(event.jobId, event.eventId, 'failed');
    this.droppedEvents.push(this.view(event, reason));
    this.ctx.log(
      `[events] dropped ${event.eventId} of queue '${event.queueName}' after ${event.retryCount} retries: ${reason}`,
    );
    this.trace('dropped', event, { retryCount: event.retryCount });
  }

  private trace(step: string, event: QueuedEvent, detail: Record<string, unknown>): void {
    this.ctx.trace.record('event', {
      step,
      eventId: event.eventId,
      job: this.ctx.trace.stableId('job', event.jobId),
      queue: event.queueName,
      retryCount: event.retryCount,
      ...(event.duplicate ? { duplicate: true } : {}),
      ...detail,
    });
  }
}
