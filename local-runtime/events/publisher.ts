// The semantics of one publish request (`queue.push`): validation, the cyclic invocation limit,
// injected push faults, the per-installation rate limit, then acceptance into the delivery engine.
import { noteInjectedFault } from '../kernel/invocation-tally.js';
import { sampleDelay } from '../kernel/latency.js';
import type { SeededRandom } from '../kernel/random.js';
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import type { DeliveryEngine } from './delivery-engine.js';
import type { JobRegistry } from './job-registry.js';
import type { PushChains } from './push-chain.js';
import { validatePublishRequest, type ValidEvent } from './push-validation.js';
import type { EventRateLimiter } from './rate-limiter.js';

export type PublishResult =
  | { kind: 'accepted'; eventIds: string[] }
  | { kind: 'partial'; eventIds: string[]; failedEvents: Array<{ index: number; errorMessage: string }> }
  | { kind: 'invalid'; code: string; message: string }
  | { kind: 'tooBig'; message: string }
  | { kind: 'rateLimited'; message: string }
  | { kind: 'invocationLimit'; message: string }
  | { kind: 'serverError'; message: string };

export interface PublisherDeps {
  ctx: ServiceContext;
  manifest: AppManifest;
  engine: DeliveryEngine;
  jobs: JobRegistry;
  chains: PushChains;
  limiter: EventRateLimiter;
  /** Event ids. */
  ids: SeededRandom;
  /** Push latency and push faults. */
  random: SeededRandom;
}

export const PARTIAL_FAILURE_MESSAGE = 'The event could not be queued (injected fault)';

export class Publisher {
  constructor(private readonly deps: PublisherDeps) {}

  async publish(body: unknown): Promise<PublishResult> {
    const { ctx } = this.deps;
    ctx.counters.add('events.pushRequests');
    const latency = sampleDelay(ctx.latency.push, this.deps.random);
    if (latency > 0) await ctx.clock.sleep(latency);
    const result = this.decide(body);
    const offered = countEvents(body);
    const accepted = result.kind === 'accepted' || result.kind === 'partial' ? result.eventIds.length : 0;
    ctx.counters.add('events.pushed', accepted);
    ctx.counters.add('events.pushRejected', offered - accepted);
    if (result.kind === 'rateLimited') ctx.counters.add('events.rateLimited');
    if (result.kind !== 'accepted' && result.kind !== 'partial')
      ctx.log(`[events] push refused (${result.kind}): ${result.message}`);
    return result;
  }

  private decide(body: unknown): PublishResult {
    const { ctx } = this.deps;
    const validation = validatePublishRequest(body, this.deps.manifest);
    if (!validation.ok) {
      this.trace({ status: validation.kind });
      return validation.kind === 'tooBig'
        ? { kind: 'tooBig', message: validation.message }
        : { kind: 'invalid', code: validation.code, message: validation.message };
    }
    const { queueName, jobId, functionKey, events } = validation.request;
    const job = ctx.trace.stableId('job', jobId);
    const chain = this.deps.chains.countPush();
    if (chain === undefined) {
      this.trace({ queue: queueName, job, status: 'invocationLimit' });
      return {
        kind: 'invocationLimit',
        message: 'The cyclic invocation limit of this chain of pushes is reached',
      };
    }
    const faults = ctx.faults.push;
    if (this.deps.random.chance(faults.serverError)) {
      this.trace({ queue: queueName, job, status: 'serverError' });
      noteInjectedFault('push.serverError');
      return { kind: 'serverError', message: 'Injected server error' };
    }
    if (
      this.deps.random.chance(faults.rateLimited) ||
      !this.deps.limiter.tryTake(events.length, ctx.clock.now())
    ) {
      this.trace({ queue: queueName, job, status: 'rateLimited' });
      noteInjectedFault('push.rateLimited');
      return { kind: 'rateLimited', message: 'Too many events pushed in the last minute' };
    }
    const refused =
      events.length > 1 && this.deps.random.chance(faults.partial)
        ? this.pickRefused(events.length)
        : new Set<number>();
    const acceptedEvents: Array<{ eventId: string; event: ValidEvent }> = [];
    for (const [index, event] of events.entries()) {
      if (!refused.has(index)) acceptedEvents.push({ eventId: this.deps.ids.uuid(), event });
    }
    if (refused.size > 0) noteInjectedFault('push.partial');
    const eventIds = acceptedEvents.map((e) => e.eventId);
    this.deps.jobs.create(queueName, jobId, eventIds);
    this.trace({
      queue: queueName,
      job,
      status: refused.size > 0 ? 'partial' : 'accepted',
      eventIds,
      refused: [...refused],
    });
    this.deps.engine.accept(jobId, queueName, functionKey, chain, acceptedEvents);
    if (refused.size === 0) return { kind: 'accepted', eventIds };
    return {
      kind: 'partial',
      eventIds,
      failedEvents: [...refused].map((index) => ({ index, errorMessage: PARTIAL_FAILURE_MESSAGE })),
    };
  }

  /** A random non-empty, proper subset of the indexes, in ascending order. */
  private pickRefused(count: number): Set<number> {
    const random = this.deps.random;
    const refused: number[] = [];
    for (let i = 0; i < count; i++) if (random.chance(0.5)) refused.push(i);
    if (refused.length === 0) refused.push(random.int(0, count - 1));
    if (refused.length === count) refused.splice(random.int(0, count - 1), 1);
    return new Set(refused);
  }

  private trace(detail: Record<string, unknown>): void {
    this.deps.ctx.trace.record('event', { step: 'publish', ...detail });
  }
}

function countEvents(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const payload = (body as { payload?: unknown }).payload;
  return Array.isArray(payload) ? payload.length : 0;
}
