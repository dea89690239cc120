// The app's modules as the platform would call them: UI resolvers, product-event triggers, web
// triggers and scheduled triggers. Each invoker lives in its own file; every call runs through the
// FunctionRunner, so it is one metered, timed, crash-able invocation.
import type { JiraEmulator } from '../jira/jira-emulator.js';
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import type { FunctionRunner } from './function-runner.js';
import {
  ProductEvents,
  type ProductEventInput,
  type ProductEventReport,
  type TriggerAttempt,
} from './product-events.js';
import { invokeResolver, type ResolverCall } from './resolver-invoker.js';
import { runScheduledTrigger, startSchedules, type ScheduledRun } from './scheduled-triggers.js';
import { callWebTrigger, type WebTriggerRequest, type WebTriggerResponse } from './web-triggers.js';

export {
  InvalidExtensionError,
  InvalidInvocationError,
  NotEmulatedError,
  ResolverError,
  UnknownModuleError,
  type OutcomeView,
} from './module-errors.js';
export {
  MAX_TRIGGER_PLATFORM_RETRIES,
  MAX_TRIGGER_RETRIES,
  TRIGGER_PLATFORM_RETRY_REASONS,
  type ProductEventInput,
  type ProductEventReport,
  type TriggerAttempt,
  type TriggerDelivery,
  type TriggerRetryContext,
} from './product-events.js';
export type { ResolverCall } from './resolver-invoker.js';
export type { ScheduledRun } from './scheduled-triggers.js';
export type { WebTriggerRequest, WebTriggerResponse } from './web-triggers.js';

export class AppModules {
  /** Where web trigger URLs point; the HTTP server sets it to its own address. */
  webTriggerBaseUrl = 'http://127.0.0.1:8787';
  private readonly productEvents: ProductEvents;

  constructor(
    readonly ctx: ServiceContext,
    readonly manifest: AppManifest,
    readonly functions: FunctionRunner,
    readonly jira: JiraEmulator,
  ) {
    this.productEvents = new ProductEvents(ctx, manifest, functions, jira);
  }

  /** Calls a UI module's resolver; returns its value or throws a `ResolverError` with the handler's message. */
  invokeResolver(call: ResolverCall): Promise<unknown> {
    return invokeResolver(this.manifest, this.functions, this.jira, this.functions.site, call);
  }

  /**
   * Delivers a product event (e.g. `avi:jira:updated:issue`) to every trigger subscribed to it, and
   * answers with those first deliveries. Retries (a returned InvocationError, a time-out, a crash)
   * follow on the runtime's clock: `triggerAttempts()` lists them once they ran.
   */
  fireProductEvent(eventType: string, payload?: ProductEventInput): Promise<ProductEventReport> {
    return this.productEvents.fire(eventType, payload);
  }

  /** Every delivery to a trigger so far, retries included, in the order they ended. */
  triggerAttempts(): readonly TriggerAttempt[] {
    return this.productEvents.attempts();
  }

  /** Trigger retries planned or running now. */
  pendingTriggerRetries(): number {
    return this.productEvents.pending();
  }

  /** Plans no more trigger retries. */
  close(): void {
    this.productEvents.close();
  }

  /** Calls a web trigger with Forge's request shape; always answers with Forge's response shape. */
  callWebTrigger(key: string, request?: Partial<WebTriggerRequest>): Promise<WebTriggerResponse> {
    return callWebTrigger(this.ctx, this.manifest, this.functions, key, request);
  }

  /** The URL a web trigger is reachable at on the local HTTP server. */
  webTriggerUrl(key: string): string {
    if (!this.manifest.webtriggers.has(key)) throw new Error(`No webtrigger '${key}' in manifest.yml`);
    return `${this.webTriggerBaseUrl.replace(/\/+$/, '')}/webtrigger/${encodeURIComponent(key)}`;
  }

  /** Runs a scheduled trigger once, now. */
  runScheduledTrigger(key: string): Promise<ScheduledRun> {
    return runScheduledTrigger(this.ctx, this.manifest, this.functions, key);
  }

  /** Runs every scheduled trigger at its interval (real clock only: virtual time would never idle). */
  startSchedules(onRun?: (run: ScheduledRun) => void): () => void {
    return startSchedules(this.ctx, this.manifest, this.functions, onRun);
  }
}
