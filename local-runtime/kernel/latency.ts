// How long each kind of platform operation takes, in milliseconds. Zero by default so unit tests
// run without waiting; benchmarks and the simulation set a realistic model.
import type { SeededRandom } from './random.js';

/** A fixed delay, or a uniform range `[min, max]`. */
export type Delay = number | readonly [number, number];

export interface LatencyModel {
  kvsRead: Delay;
  kvsWrite: Delay;
  push: Delay;
  /** From an event becoming due to its consumer starting. */
  delivery: Delay;
  jira: Delay;
}

export const ZERO_LATENCY: LatencyModel = { kvsRead: 0, kvsWrite: 0, push: 0, delivery: 0, jira: 0 };

export function sampleDelay(delay: Delay, random: SeededRandom): number {
  if (typeof delay === 'number') return delay;
  const [min, max] = delay;
  return min === max ? min : random.between(min, max);
}
