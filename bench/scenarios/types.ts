// What a scenario is: the same seeded workload for every approach, and the weather it runs in.
import type { FaultOptions } from '../../local-runtime/index.js';
import type { SeededRandom } from '../../local-runtime/kernel/random.js';
import type { StateShape } from '../workload.js';

export const SCENARIOS = ['hot-issue', 'spread', 'report', 'faults'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** One webhook-like delivery: at `at` ms, `commands` commands (a mix, `workload.ts`) for one issue. */
export interface ProducerSpec {
  at: number;
  issueId: string;
  commands: number;
  /** At-least-once webhooks: the same delivery (same command ids) again, this long after the first. */
  duplicateAfterMs?: number;
}

export interface ProducerScenario {
  kind: 'producers';
  name: ScenarioName;
  producers(random: SeededRandom): ProducerSpec[];
  /** The issues' checklists before the run. */
  state: StateShape;
  faults?: FaultOptions;
}

export interface ReportScenario {
  kind: 'report';
  name: ScenarioName;
  issues: number;
  pageSize: number;
  state: StateShape;
}

export type Scenario = ProducerScenario | ReportScenario;
