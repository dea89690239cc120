// Delivers one Jira product event to every `trigger` module subscribed to it, as Forge does:
// payload `{ eventType, issue, atlassianId, timestamp, changelog? }`, context `{ cloudId, moduleKey }`.
// A trigger with `filter.ignoreSelf` does not see events the app's own account caused.
//
// Retries (docs: events-reference/product_events, "Retry Atlassian app events"):
// - "You can request a retry for an Atlassian app event trigger by returning an `InvocationError`
//   object"; "You can only retry an event for a maximum of four times". The retry comes after
//   `retryAfter` (1..900 s) with `retryContext: { retryCount, retryReason, retryData }`, where
//   retryCount is the "number of times (max 4) the app requested for retry". A fifth request is
//   not honoured: counted (`triggers.gaveUp`) and logged.
// - "Platform level errors cannot be captured by the app. Examples include timeouts and Out of
//   memory (OOM) errors. [...] the Forge platform will automatically retry the event": a time-out,
//   or a crash (the runtime's stand-in for running out of memory), is retried with backoff, with
//   reason FUNCTION_TIME_OUT or FUNCTION_OUT_OF_MEMORY, retryCount left as it was.
// - A thrown error is not retried. It is an error the app could capture, and the page offers app
//   level errors one way to be retried: returning an InvocationError. (This is also what the
//   runtime has always done.)
import type { JiraEmulator } from '../jira/jira-emulator.js';
import type { TimerHandle } from '../kernel/clock.js';
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import { readRetryRequest, MAX_RETRY_DATA_BYTES } from '../events/attempt-outcome.js';
import { backoffDelay } from '../events/backoff.js';
import { moduleContext } from './forge-context.js';
import type { FunctionRunner, InvokeOutcome } from './function-runner.js';
import { viewOutcome, type OutcomeView } from './module-errors.js';

/** Docs: "You can only retry an event for a maximum of four times." */
export const MAX_TRIGGER_RETRIES = 4;

/**
 * UNCONFIRMED: how many times the platform retries a trigger that timed out or crashed. The local
 * choice: as many as the app may ask for, 4, after the platform's backoff (events/backoff.ts).
 */
export const MAX_TRIGGER_PLATFORM_RETRIES = 4;

/** Docs: the `retryReason` values of "Retry for platform level errors". */
export const TRIGGER_PLATFORM_RETRY_REASONS = {
  timedOut: 'FUNCTION_TIME_OUT',
  crashed: 'FUNCTION_OUT_OF_MEMORY',
} as const;

export interface ProductEventInput {
  /** The issue; `{ key }` or `{ id }` alone is filled in from the local Jira when it has the issue. */
  issue?: Record<string, unknown>;
  /** The user who caused the event; the app's account id makes it the app's own event. */
  atlassianId?: string;
  changelog?: unknown;
  timestamp?: string;
  [field: string]: unknown;
}

export interface TriggerDelivery {
  triggerKey: string;
  functionKey: string;
  /** `skipped` when `filter.ignoreSelf` held the event back. */
  outcome: OutcomeView | { status: 'skipped'; reason: string };
}

/** What `fireProductEvent` answers: the first delivery to each trigger (retries come later). */
export interface ProductEventReport {
  eventType: string;
  payload: Record<string, unknown>;
  deliveries: TriggerDelivery[];
}

/** `retryContext` of a retried trigger event (docs: three properties). */
export interface TriggerRetryContext {
  retryCount: number;
  retryReason: string;
  retryData: unknown;
}

/** One delivery of a product event to one trigger: the first, or a retry. */
export interface TriggerAttempt {
  eventType: string;
  triggerKey: string;
  functionKey: string;
  /** 0 for the first delivery, then 1, 2, ... for each retry, whatever caused it. */
  attempt: number;
  /** When it started, in the runtime clock's time. */
  at: number;
  retryContext?: TriggerRetryContext;
  outcome: OutcomeView;
  /**
   * What came of it: `done` (returned), `not-retried` (threw), `retry` (returned an
   * InvocationError), `platform-retry` (timed out or crashed), `gave-up` (no retry left).
   */
  next: 'done' | 'not-retried' | 'retry' | 'platform-retry' | 'gave-up';
}

type TriggerDefinition = AppManifest['triggers'][number];

/** One event on its way to one trigger, across its attempts. */
interface TriggerRun {
  eventType: string;
  trigger: TriggerDefinition;
  payload: Record<string, unknown>;
  attempts: number;
  retryCount: number;
  platformRetries: number;
  retryData: unknown;
}

export class ProductEvents {
  private readonly attemptLog: TriggerAttempt[] = [];
  private readonly timers = new Set<TimerHandle>();
  private readonly random;
  /** Retries planned or running. */
  private pendingRetries = 0;
  private closed = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly manifest: AppManifest,
    private readonly functions: FunctionRunner,
    private readonly jira: JiraEmulator,
  ) {
    this.random = ctx.random.fork('triggers');
  }

  /** Delivers the event to each subscribed trigger once, now; retries follow on the runtime clock. */
  async fire(eventType: string, input: ProductEventInput = {}): Promise<ProductEventReport> {
    const payload: Record<string, unknown> = {
      ...input,
      eventType,
      ...(input.issue ? { issue: fullIssue(this.jira, input.issue) } : {}),
      timestamp: input.timestamp ?? new Date(this.ctx.clock.now()).toISOString(),
    };
    const selfCaused = input.atlassianId !== undefined && input.atlassianId === this.jira.appAccountId;
    const deliveries: TriggerDelivery[] = [];
    // One trigger after another, in manifest order, so runs replay identically.
    for (const trigger of this.manifest.triggers.filter((t) => t.events.includes(eventType))) {
      if (selfCaused && trigger.ignoreSelf) {
        deliveries.push({
          triggerKey: trigger.key,
          functionKey: trigger.function,
          outcome: { status: 'skipped', reason: 'filter.ignoreSelf: the app caused this event' },
        });
        continue;
      }
      const run: TriggerRun = {
        eventType,
        trigger,
        payload,
        attempts: 0,
        retryCount: 0,
        platformRetries: 0,
        retryData: undefined,
      };
      const outcome = await this.deliver(run, undefined);
      deliveries.push({ triggerKey: trigger.key, functionKey: trigger.function, outcome });
    }
    this.ctx.log(
      `[triggers] ${eventType}: ${deliveries.map((d) => `${d.triggerKey}=${d.outcome.status}`).join(', ') || 'no subscribers'}`,
    );
    return { eventType, payload, deliveries };
  }

  /** Every delivery to a trigger so far, retries included, in the order they ended. */
  attempts(): readonly TriggerAttempt[] {
    return this.attemptLog;
  }

  /** Retries planned or running now. */
  pending(): number {
    return this.pendingRetries;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  private async deliver(
    run: TriggerRun,
    retryContext: TriggerRetryContext | undefined,
  ): Promise<OutcomeView> {
    const attempt = run.attempts++;
    const at = this.ctx.clock.now();
    const event = structuredClone(run.payload);
    if (retryContext) event.retryContext = structuredClone(retryContext);
    const outcome = await this.functions.invoke({
      kind: 'trigger',
      functionKey: run.trigger.function,
      args: [event, moduleContext(this.functions.site, run.trigger.key)],
    });
    const next = this.afterAttempt(run, outcome);
    const view = viewOutcome(outcome);
    this.attemptLog.push({
      eventType: run.eventType,
      triggerKey: run.trigger.key,
      functionKey: run.trigger.function,
      attempt,
      at,
      ...(retryContext ? { retryContext } : {}),
      outcome: view,
      next,
    });
    this.ctx.trace.record('trigger', {
      eventType: run.eventType,
      trigger: run.trigger.key,
      attempt,
      status: outcome.status,
      next,
    });
    return view;
  }

  /** Decides what follows an attempt, and plans the retry if there is one. */
  private afterAttempt(run: TriggerRun, outcome: InvokeOutcome): TriggerAttempt['next'] {
    const name = `${run.trigger.key} (${run.eventType})`;
    if (outcome.status === 'threw') return 'not-retried';
    if (outcome.status === 'returned') {
      const request = readRetryRequest(outcome.value);
      if (!request) return 'done';
      this.ctx.counters.add('triggers.retryRequested');
      if (run.retryCount >= MAX_TRIGGER_RETRIES) {
        this.ctx.counters.add('triggers.gaveUp');
        this.ctx.log(
          `[triggers] ${name} asked for a retry after ${run.retryCount}; Forge retries at most ${MAX_TRIGGER_RETRIES} times: given up`,
        );
        return 'gave-up';
      }
      if (request.retryDataRefused) {
        // The local choice (acceptRetryData): the retry is made, without the retryData.
        this.ctx.counters.add('triggers.retryDataRefused');
        this.ctx.log(
          `[triggers] ${name}: retryData ${
            request.retryDataRefused === 'over-4-kb'
              ? `is ${request.retryDataBytes} bytes, over Forge's ${MAX_RETRY_DATA_BYTES}`
              : 'is not an object'
          }; the retry goes without it`,
        );
      }
      run.retryCount++;
      run.retryData = request.retryData;
      this.schedule(
        run,
        { retryCount: run.retryCount, retryReason: request.retryReason, retryData: request.retryData },
        request.retryAfterMs,
        'triggers.retried',
      );
      return 'retry';
    }
    if (run.platformRetries >= MAX_TRIGGER_PLATFORM_RETRIES) {
      this.ctx.counters.add('triggers.gaveUp');
      this.ctx.log(
        `[triggers] ${name} ${outcome.status} again after ${run.platformRetries} platform retries: given up`,
      );
      return 'gave-up';
    }
    const delay = backoffDelay(run.platformRetries++, this.random);
    this.schedule(
      run,
      {
        retryCount: run.retryCount,
        retryReason: TRIGGER_PLATFORM_RETRY_REASONS[outcome.status],
        retryData: run.retryData,
      },
      delay,
      'triggers.platformRetried',
    );
    return 'platform-retry';
  }

  private schedule(
    run: TriggerRun,
    retryContext: TriggerRetryContext,
    delayMs: number,
    counter: 'triggers.retried' | 'triggers.platformRetried',
  ): void {
    this.pendingRetries++;
    this.ctx.log(
      `[triggers] ${run.trigger.key} (${run.eventType}): retry in ${Math.round(delayMs / 1000)} s, ${retryContext.retryReason}`,
    );
    const timer = this.ctx.clock.setTimer(delayMs, () => {
      this.timers.delete(timer);
      if (this.closed) {
        this.pendingRetries--;
        return;
      }
      this.ctx.counters.add(counter);
      void this.deliver(run, retryContext)
        .then((outcome) =>
          this.ctx.log(
            `[triggers] ${run.eventType}: ${run.trigger.key}=${outcome.status} (retry ${run.attempts - 1})`,
          ),
        )
        .catch((error: unknown) =>
          this.ctx.log(
            `[triggers] ${run.trigger.key} (${run.eventType}): the retry could not run: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(() => this.pendingRetries--);
    });
    this.timers.add(timer);
  }
}

function fullIssue(jira: JiraEmulator, issue: Record<string, unknown>): Record<string, unknown> {
  const ref =
    typeof issue['id'] === 'string'
      ? issue['id']
      : typeof issue['key'] === 'string'
        ? issue['key']
        : undefined;
  const known = ref === undefined ? undefined : jira.inspect.issue(ref);
  if (!known) return issue;
  return { id: known.id, key: known.key, fields: structuredClone(known.fields), ...issue };
}
