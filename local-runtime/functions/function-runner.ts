// Runs one function from the manifest as one invocation: binds it to its invocation context,
// enforces the function's timeout, and lets a planned crash kill it part-way.
import type { CrashFaults, InvocationKind } from '../kernel/faults.js';
import { Invocation, runInInvocation, type InvocationHost } from '../kernel/invocation.js';
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import type { HandlerLoader } from '../manifest/handler-loader.js';
import { consumerArgs } from './consumer-call.js';
import type { LocalSite } from './forge-context.js';

export interface InvokeRequest {
  kind: InvocationKind;
  functionKey: string;
  args: unknown[];
  /** The user the invocation acts for, if any. */
  accountId?: string;
  /** A platform limit below the function's own timeout (Forge gives resolvers 25 s). */
  maxTimeoutSeconds?: number;
}

/** What a consumer needs of an async event (`ForgeAsyncEvent` of events/queued-event.ts). */
export interface ConsumerEvent {
  body: Record<string, unknown>;
  jobId: string;
  retryContext?: unknown;
}

export type InvokeOutcome =
  | { status: 'returned'; value: unknown }
  | { status: 'threw'; error: unknown }
  | { status: 'crashed'; afterStorageCalls: number }
  | { status: 'timedOut' };

export class FunctionRunner {
  private readonly random;
  private readonly plannedCrashes: Array<{ functionKey: string; afterStorageCalls: number }> = [];
  private sequence = 0;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly manifest: AppManifest,
    private readonly host: InvocationHost,
    readonly handlers: HandlerLoader,
    /** The one installation every module's context names. */
    readonly site: LocalSite,
  ) {
    this.random = ctx.random.fork('functions');
  }

  /** Makes the next invocation of `functionKey` die right after its Nth storage call. */
  crashNextInvocation(functionKey: string, afterStorageCalls: number): void {
    this.plannedCrashes.push({ functionKey, afterStorageCalls });
  }

  /**
   * Loads every handler in the manifest. Importing takes real time, during which a virtual clock
   * would move on, so a run is only replayable once the code is loaded before time starts.
   */
  async preload(): Promise<void> {
    for (const definition of this.manifest.functions.values()) await this.handlers.load(definition.handler);
  }

  /**
   * Runs a queue's consumer on one event, called the way the manifest declares it: a function
   * (`event, context`) or a `@forge/resolver` method (`consumer-call.ts`).
   */
  invokeConsumer(
    queueName: string,
    event: ConsumerEvent,
    onInvocation?: (invocation: Invocation) => void,
  ): Promise<InvokeOutcome> {
    const functionKey = this.manifest.consumers.get(queueName);
    if (!functionKey) throw new Error(`No consumer for queue '${queueName}' in manifest.yml`);
    return this.invoke(
      {
        kind: 'consumer',
        functionKey,
        args: consumerArgs(event, this.manifest.consumerMethods.get(queueName), this.site),
      },
      onInvocation,
    );
  }

  /** `onInvocation` sees the invocation before it runs (to read what happened in it afterwards). */
  async invoke(
    request: InvokeRequest,
    onInvocation?: (invocation: Invocation) => void,
  ): Promise<InvokeOutcome> {
    const definition = this.manifest.functions.get(request.functionKey);
    if (!definition) throw new Error(`No function '${request.functionKey}' in manifest.yml`);
    const handler = await this.handlers.load(definition.handler);
    const id = `inv-${++this.sequence}`;
    const invocation = new Invocation(
      id,
      this.host,
      request.kind,
      request.functionKey,
      request.accountId,
      this.random.fork(id),
      this.planCrash(request.kind, request.functionKey, this.ctx.faults.crash),
    );
    onInvocation?.(invocation);
    this.ctx.counters.add('functions.invocations');
    this.ctx.trace.record('invoke', { id, kind: request.kind, functionKey: request.functionKey });

    const timeoutSeconds = Math.min(definition.timeoutSeconds, request.maxTimeoutSeconds ?? Infinity);
    return new Promise<InvokeOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: InvokeOutcome) => {
        if (settled) return;
        settled = true;
        timeout.cancel();
        this.ctx.trace.record('invoke-end', { id, status: outcome.status });
        resolve(outcome);
      };
      const timeout = this.ctx.clock.setTimer(timeoutSeconds * 1000, () => {
        if (settled) return;
        this.ctx.counters.add('functions.timedOut');
        this.ctx.log(`[functions] ${request.functionKey} (${id}) timed out after ${timeoutSeconds}s`);
        // Settle first: kill() runs the crash listener, which would report a crash instead.
        finish({ status: 'timedOut' });
        invocation.kill();
      });
      invocation.onKill(() => {
        if (settled) return;
        this.ctx.counters.add('functions.crashed');
        finish({ status: 'crashed', afterStorageCalls: invocation.storageCalls });
      });
      runInInvocation(invocation, async () => {
        try {
          const value = await handler(...request.args);
          if (!invocation.dead) finish({ status: 'returned', value });
        } catch (error) {
          if (invocation.dead) return;
          this.ctx.counters.add('functions.threw');
          this.ctx.log(`[functions] ${request.functionKey} (${id}) threw ${describeError(error)}`);
          finish({ status: 'threw', error });
        }
      });
    });
  }

  private planCrash(kind: InvocationKind, functionKey: string, crash: CrashFaults): number | undefined {
    const planned = this.plannedCrashes.findIndex((p) => p.functionKey === functionKey);
    if (planned >= 0) return this.plannedCrashes.splice(planned, 1)[0]!.afterStorageCalls;
    if (!crash.kinds.includes(kind) || !this.random.chance(crash.probability)) return undefined;
    return this.random.int(crash.afterStorageCalls[0], crash.afterStorageCalls[1]);
  }
}

/** The stack when there is one: whoever reads the log needs to find the line that threw. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
