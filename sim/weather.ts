// The weather of one run, drawn from its seed: how often each fault strikes, and, in some runs, an
// outage during which nearly every consumer crashes, so crash loops must end in the dead letters.
import type { FaultOptions, LocalForgeRuntime } from '../local-runtime/index.js';
import type { SeededRandom } from '../local-runtime/kernel/random.js';

export function faultsFor(random: SeededRandom): FaultOptions {
  const storm = random.chance(0.2) ? 4 : 1;
  const faults: FaultOptions = {
    kvs: {
      serverError: random.between(0, 0.05) * storm,
      rateLimited: random.between(0, 0.03) * storm,
      timeout: random.between(0, 0.02) * storm,
    },
    push: {
      serverError: random.between(0, 0.05),
      rateLimited: random.between(0, 0.03),
      partial: random.between(0, 0.05),
    },
    delivery: {
      duplicate: random.between(0, 0.2),
      reorder: random.between(0, 0.4),
      reorderMaxDelayMs: 30_000,
      platformError: random.between(0, 0.02),
    },
    crash: { probability: random.between(0, 0.15), afterStorageCalls: [1, 3], kinds: ['consumer'] },
  };
  // In some runs pushes fail so often that enqueues run out of retries: what a producer was told
  // is not enqueued must never be applied (a deposit is written only after its push succeeds).
  if (random.chance(0.15)) {
    const push = faults.push!;
    faults.push = {
      serverError: Math.min(0.4, push.serverError! * 10),
      rateLimited: Math.min(0.4, push.rateLimited! * 10),
      partial: Math.min(0.4, push.partial! * 10),
    };
  }
  return faults;
}

export interface Outage {
  startMs: number;
  endMs: number;
}

/**
 * In about one run in eight, consumers crash on nearly every delivery for hours: long enough for
 * an event to be delivered more than the writer's attempt limit allows, so the crash loop must end
 * with its commands dead-lettered, not dropped when retention runs out.
 */
export function scheduleOutage(
  rt: LocalForgeRuntime,
  random: SeededRandom,
  base: FaultOptions,
): Outage | undefined {
  if (!random.chance(0.125)) return undefined;
  const outage = { startMs: random.int(0, 60_000), endMs: random.int(10, 14) * 60 * 60_000 };
  rt.clock.setTimer(outage.startMs, () =>
    rt.setFaults({ ...base, crash: { probability: 0.97, afterStorageCalls: [1, 2], kinds: ['consumer'] } }),
  );
  rt.clock.setTimer(outage.endMs, () => rt.setFaults(base));
  return outage;
}

/**
 * In about one run in eight, storage fails nearly every request for 1 to 4 hours, starting while
 * the producers still send: consumers ask to be retried on the writer's schedule (backoff up to
 * 15 min) for hours, and their events must settle once storage is back, inside Forge's 24 h.
 */
export function scheduleBrownout(
  rt: LocalForgeRuntime,
  random: SeededRandom,
  base: FaultOptions,
): Outage | undefined {
  if (!random.chance(0.125)) return undefined;
  const brownout = { startMs: random.int(20_000, 60_000), endMs: random.int(1, 4) * 60 * 60_000 };
  rt.clock.setTimer(brownout.startMs, () =>
    rt.setFaults({ ...base, kvs: { ...base.kvs, serverError: 0.9 } }),
  );
  rt.clock.setTimer(brownout.endMs, () => rt.setFaults(base));
  return brownout;
}
