// Messages between `bench/cli.ts` and its worker processes.
import type { HoldBackModel } from '../local-runtime/index.js';
import type { ApproachName } from './app/src/approaches.js';
import type { CaseResult } from './run-case.js';
import type { ScenarioName } from './scenarios/types.js';
import type { SpeedResult } from './speed.js';

export type ParentMessage =
  | { type: 'case'; scenario: ScenarioName; approach: ApproachName; seed: number; holdBack: HoldBackModel }
  | { type: 'speed'; seed: number }
  | { type: 'stop' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; scenario: ScenarioName; holdBack: HoldBackModel; result: CaseResult }
  | { type: 'speed'; speed: SpeedResult }
  | { type: 'crash'; message: string };
