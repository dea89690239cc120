// Runs a `scheduledTrigger` module: on demand, or (with a real clock) every interval. Forge does
// not retry a failed scheduled run, so neither does this; the outcome is reported and logged.
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import { moduleContext } from './forge-context.js';
import type { FunctionRunner } from './function-runner.js';
import { UnknownModuleError, viewOutcome, type OutcomeView } from './module-errors.js';

export const INTERVAL_MS: Record<string, number> = {
  fiveMinute: 5 * 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

export interface ScheduledRun {
  triggerKey: string;
  functionKey: string;
  startedAt: number;
  finishedAt: number;
  outcome: OutcomeView;
}

export async function runScheduledTrigger(
  ctx: ServiceContext,
  manifest: AppManifest,
  functions: FunctionRunner,
  key: string,
): Promise<ScheduledRun> {
  const trigger = manifest.scheduledTriggers.get(key);
  if (!trigger) {
    const known = [...manifest.scheduledTriggers.keys()].join(', ') || 'none';
    throw new UnknownModuleError(
      `No scheduledTrigger '${key}' in manifest.yml (scheduled triggers: ${known})`,
    );
  }
  const startedAt = ctx.clock.now();
  const outcome = await functions.invoke({
    kind: 'scheduled',
    functionKey: trigger.function,
    args: [
      { context: { cloudId: functions.site.cloudId, moduleKey: key } },
      moduleContext(functions.site, key),
    ],
  });
  const run = {
    triggerKey: key,
    functionKey: trigger.function,
    startedAt,
    finishedAt: ctx.clock.now(),
    outcome: viewOutcome(outcome),
  };
  ctx.log(`[scheduled] ${key}: ${run.outcome.status}`);
  return run;
}

/** Runs every scheduled trigger at its interval until the returned function is called. */
export function startSchedules(
  ctx: ServiceContext,
  manifest: AppManifest,
  functions: FunctionRunner,
  onRun: (run: ScheduledRun) => void = () => undefined,
): () => void {
  let stopped = false;
  // The pending timer of each trigger; replaced at every tick.
  const handles = new Map<string, { cancel(): void }>();
  for (const [key, { interval }] of manifest.scheduledTriggers) {
    const every = INTERVAL_MS[interval];
    if (!every) {
      ctx.log(`[scheduled] ${key}: unknown interval '${interval}', not scheduled`);
      continue;
    }
    const tick = () => {
      if (stopped) return;
      handles.set(key, ctx.clock.setTimer(every, tick));
      void runScheduledTrigger(ctx, manifest, functions, key).then(onRun, (error: unknown) =>
        ctx.log(`[scheduled] ${key} failed to run: ${String(error)}`),
      );
    };
    handles.set(key, ctx.clock.setTimer(every, tick));
  }
  return () => {
    stopped = true;
    for (const handle of handles.values()) handle.cancel();
    handles.clear();
  };
}
