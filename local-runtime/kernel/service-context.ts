// What every emulated service shares: time, chance, metering, tracing, faults, latency and logging.
import type { Clock } from './clock.js';
import type { Counters } from './counters.js';
import type { FaultPlan } from './faults.js';
import type { LatencyModel } from './latency.js';
import type { SeededRandom } from './random.js';
import type { Trace } from './trace.js';

export interface ServiceContext {
  clock: Clock;
  /** The run's root random source; services take their own stream with `random.fork(name)`. */
  random: SeededRandom;
  counters: Counters;
  trace: Trace;
  faults: FaultPlan;
  latency: LatencyModel;
  log: (line: string) => void;
}
