// The scenarios by name, at full size.
import { hotIssue } from './hot-issue.js';
import { report } from './report.js';
import { faults, spread } from './spread.js';
import type { Scenario, ScenarioName } from './types.js';

export { SCENARIOS, type Scenario, type ScenarioName } from './types.js';

export function scenarioByName(name: ScenarioName): Scenario {
  switch (name) {
    case 'hot-issue':
      return hotIssue();
    case 'spread':
      return spread();
    case 'report':
      return report();
    case 'faults':
      return faults();
  }
}
