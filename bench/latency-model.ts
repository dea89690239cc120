// The latency model every benchmark run uses, and the zero model for measuring raw speed.
import type { LatencyModel } from '../local-runtime/index.js';

/**
 * Defaults (justified in README "Benchmark"): a KVS read ~15 ms and a write ~25 ms, each ±~50 %,
 * as Forge storage is a regional managed store reached over HTTPS from the function's region; a
 * push ~40 ms (an HTTPS call to the queue service); delivery 0.5 to 2 s from push to consumer
 * start, the range observed for Forge async events. Jira calls are kept at zero so the report
 * scenario measures storage and events, not Jira. The concurrency-key hold-back is the runtime's
 * own (`local-runtime/events/backoff.ts`: 4 s, doubling, ±25 %, capped at 15 min).
 */
export const BENCH_LATENCY: LatencyModel = {
  kvsRead: [8, 22],
  kvsWrite: [15, 35],
  push: [30, 50],
  delivery: [500, 2000],
  jira: 0,
};

export const ZERO_LATENCY_MODEL: LatencyModel = { kvsRead: 0, kvsWrite: 0, push: 0, delivery: 0, jira: 0 };

export function describeLatency(model: LatencyModel): string {
  const show = (d: LatencyModel[keyof LatencyModel]) =>
    typeof d === 'number' ? `${d} ms` : `${d[0]}-${d[1]} ms (mean ${(d[0] + d[1]) / 2})`;
  return (
    `KVS read ${show(model.kvsRead)}, KVS write ${show(model.kvsWrite)}, push ${show(model.push)}, ` +
    `delivery ${show(model.delivery)}, Jira ${show(model.jira)}`
  );
}
