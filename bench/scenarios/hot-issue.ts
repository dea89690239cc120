// `hot-issue`: many producers at once, all on one issue: the contention case.
import type { ProducerScenario } from './types.js';

export const HOT_ISSUE_ID = '20001';

export function hotIssue(size = { producers: 50, commandsEach: 10 }): ProducerScenario {
  return {
    kind: 'producers',
    name: 'hot-issue',
    producers: (random) =>
      Array.from({ length: size.producers }, () => ({
        // "Concurrent": all within the first 50 ms, as a bulk change fires its webhooks.
        at: random.int(0, 50),
        issueId: HOT_ISSUE_ID,
        commands: size.commandsEach,
        retryAfterMs: random.int(1_000, 10_000),
      })),
  };
}
