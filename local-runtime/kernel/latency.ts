// How long each kind of platform operation takes, in milliseconds. Zero by default so unit tests
// run without waiting; benchmarks and the simulation set a realistic model, and `npm start` can
// take one (`--latency realistic`) so that progress and polling are slow enough to watch.
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

/**
 * Forge's order of magnitude, for watching an app locally: a KVS read ~15 ms and a write ~25 ms
 * (a regional store over HTTPS), a push ~40 ms, delivery 0.5 to 2 s from push to consumer start
 * (the range observed for async events), as the benchmark's model; a Jira REST call 50 to 200 ms
 * is our own guess for a small request.
 */
export const REALISTIC_LATENCY: LatencyModel = {
  kvsRead: [8, 22],
  kvsWrite: [15, 35],
  push: [30, 50],
  delivery: [500, 2000],
  jira: [50, 200],
};

export const LATENCY_PRESETS = { none: ZERO_LATENCY, realistic: REALISTIC_LATENCY } as const;

const LATENCY_FIELDS = Object.keys(ZERO_LATENCY) as Array<keyof LatencyModel>;

/**
 * Checks a partial latency model read from JSON, e.g. `{"delivery": [500, 2000], "jira": 100}`.
 * Throws an Error naming the first field that is wrong.
 */
export function parseLatencyModel(value: unknown): Partial<LatencyModel> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('a latency model is a JSON object, e.g. {"delivery": [500, 2000]}');
  const model: Partial<LatencyModel> = {};
  for (const [field, delay] of Object.entries(value)) {
    if (!LATENCY_FIELDS.includes(field as keyof LatencyModel))
      throw new Error(`unknown field '${field}'; the fields are ${LATENCY_FIELDS.join(', ')}`);
    model[field as keyof LatencyModel] = parseDelay(field, delay);
  }
  return model;
}

function parseDelay(field: string, delay: unknown): Delay {
  const ms = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (ms(delay)) return delay;
  if (Array.isArray(delay) && delay.length === 2 && ms(delay[0]) && ms(delay[1]) && delay[0] <= delay[1])
    return [delay[0], delay[1]];
  throw new Error(
    `'${field}' must be milliseconds: a number >= 0, or [min, max] with 0 <= min <= max; got ${JSON.stringify(delay)}`,
  );
}

/** One line for people, e.g. `KVS read 8-22 ms, ..., Jira 0 ms`. */
export function describeLatency(model: LatencyModel): string {
  const show = (d: Delay) => (typeof d === 'number' ? `${d} ms` : `${d[0]}-${d[1]} ms`);
  return (
    `KVS read ${show(model.kvsRead)}, KVS write ${show(model.kvsWrite)}, push ${show(model.push)}, ` +
    `delivery ${show(model.delivery)}, Jira ${show(model.jira)}`
  );
}

export function sampleDelay(delay: Delay, random: SeededRandom): number {
  if (typeof delay === 'number') return delay;
  const [min, max] = delay;
  return min === max ? min : random.between(min, max);
}
