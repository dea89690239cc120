// The raw speed of the local runtime plus the writer: the `spread` workload through the real
// writer with a zero latency model, in commands per second of real time.
import { runCase } from './run-case.js';
import { ZERO_LATENCY_MODEL } from './latency-model.js';
import { spread } from './scenarios/spread.js';

export interface SpeedResult {
  commands: number;
  wallMs: number;
  commandsPerSecond: number;
}

export async function measureSpeed(seed: number): Promise<SpeedResult> {
  const result = await runCase(spread(), 'writer', { seed, latency: ZERO_LATENCY_MODEL });
  return {
    commands: result.commands,
    wallMs: result.wallMs,
    commandsPerSecond: Math.round((result.commands / Math.max(1, result.wallMs)) * 1000),
  };
}
