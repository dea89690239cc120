// `hot-issue`: many producers at once, all on one issue: the contention case.
import { MAX_CHECKLIST_ITEMS } from '../../src/shared/issue-data/issue-state.js';
import type { StateShape } from '../workload.js';
import type { ProducerScenario } from './types.js';

export const HOT_ISSUE_ID = '20001';

/** The hot issue's checklist is as full as the app allows: the largest state each write carries. */
export const HOT_ISSUE_STATE: StateShape = { checklistItems: [MAX_CHECKLIST_ITEMS, MAX_CHECKLIST_ITEMS] };

export function hotIssue(
  size = { producers: 50, commandsEach: 10 },
  state: StateShape = HOT_ISSUE_STATE,
): ProducerScenario {
  return {
    kind: 'producers',
    name: 'hot-issue',
    state,
    producers: (random) =>
      Array.from({ length: size.producers }, () => ({
        // "Concurrent": all within the first 50 ms, as a bulk change fires its webhooks.
        at: random.int(0, 50),
        issueId: HOT_ISSUE_ID,
        commands: size.commandsEach,
      })),
  };
}
