// `spread`: many commands over many issues, arriving over a minute: the everyday case. `faults`
// is the same workload with storage errors, duplicate deliveries and crashes.
import type { FaultOptions } from '../../local-runtime/index.js';
import { REALISTIC_STATE, type StateShape } from '../workload.js';
import type { ProducerScenario, ScenarioName } from './types.js';

export interface SpreadSize {
  producers: number;
  commandsEach: number;
  issues: number;
  windowMs: number;
}

/** 1,000 deliveries x 5 commands = 5,000 commands over 500 issues, arriving over 60 s. */
export const SPREAD_SIZE: SpreadSize = { producers: 1_000, commandsEach: 5, issues: 500, windowMs: 60_000 };

export const FAULTS: FaultOptions = {
  kvs: { serverError: 0.02 },
  // Pushes fail too, so the writer's producers meet faults: 2 % 5xx, 1 % partial successes.
  push: { serverError: 0.02, partial: 0.01 },
  delivery: { duplicate: 0.01 },
  // Producers run as `trigger` functions, so a crash hits a caller-side approach's writes too.
  crash: { probability: 0.01, afterStorageCalls: [1, 4], kinds: ['consumer', 'trigger'] },
};
/** The same 1 % duplicate deliveries for webhook deliveries to the producers. */
const PRODUCER_DUPLICATE = 0.01;

export function spread(
  size: SpreadSize = SPREAD_SIZE,
  name: ScenarioName = 'spread',
  state: StateShape = REALISTIC_STATE,
): ProducerScenario {
  const faulty = name === 'faults';
  return {
    kind: 'producers',
    name,
    state,
    ...(faulty ? { faults: FAULTS } : {}),
    producers: (random) =>
      Array.from({ length: size.producers }, () => {
        const at = random.int(0, size.windowMs);
        const issueId = String(30_001 + random.int(0, size.issues - 1));
        const duplicate = random.chance(PRODUCER_DUPLICATE);
        const duplicateAfterMs = random.int(0, 5_000);
        return {
          at,
          issueId,
          commands: size.commandsEach,
          ...(faulty && duplicate ? { duplicateAfterMs } : {}),
        };
      }),
  };
}

export function faults(
  size: SpreadSize = SPREAD_SIZE,
  state: StateShape = REALISTIC_STATE,
): ProducerScenario {
  return spread(size, 'faults', state);
}
