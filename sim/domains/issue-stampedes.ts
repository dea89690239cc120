// Stampedes on one issue: this app's writer, with producers that each import 25 to 48 commands
// into the same issue at the same moment, 4 to 10 of them, mostly with the concurrency key off (as
// a caller that batches its own commands may), so that events needing two transactions or more
// run side by side and commit between each other's transactions. Between the stampedes, single
// webhook commands. A later transaction of an event committed without its record condition loses
// other events' updates here in 4 of seeds 1 to 17, where the `issues` domain, whose consumers of
// one issue start up to 2 s apart, found it in none of seeds 1 to 600
// (docs/simulation.md#classic-mutants).
import path from 'node:path';
import type { SeededRandom } from '../../local-runtime/kernel/random.js';
import { issueWriter, type Command, type IssueState } from '../../src/shared/issue-data/issue-writer.js';
import type { SimDomain } from '../domain.js';
import { send, type Ledger } from '../ledger.js';
import { expectedIssueState } from '../models/issue-model.js';

function activity(random: SeededRandom, now: number): Command {
  return random.chance(0.6)
    ? {
        type: 'activity.record',
        payload: { kind: random.pick(['created', 'updated', 'commented'] as const), at: now },
      }
    : {
        type: 'activity.transition',
        payload: {
          from: random.pick(['To Do', 'In Progress', 'Done']),
          to: random.pick(['To Do', 'In Progress', 'Done']),
          at: now - random.int(0, 5000),
        },
      };
}

/** Several producers enqueueing into one issue at once, each one event of 25 to 48 commands. */
async function stampede(ledger: Ledger, random: SeededRandom, issueId: string): Promise<void> {
  const batch = random.int(1, 1_000_000);
  const concurrencyKey = random.chance(0.2);
  const events = Array.from({ length: random.int(4, 10) }, (_, e) =>
    Array.from({ length: random.int(25, 48) }, (_, i) =>
      issueWriter.command(
        issueId,
        random.chance(0.7)
          ? activity(random, Date.now())
          : {
              type: 'checklist.add',
              payload: { itemId: `stampede-${batch}-${e}-${i}`, text: `Step ${i}`, rank: i },
            },
        { source: 'jira-webhook' },
      ),
    ),
  );
  await Promise.all(
    events.map((commands) => send(issueWriter, ledger, random, commands, { concurrencyKey })),
  );
}

export const issueStampedesDomain: SimDomain = {
  name: 'issue-stampedes',
  appDir: path.resolve(__dirname, '../..'),
  writer: issueWriter,
  partitions: (random) => Array.from({ length: random.int(1, 2) }, (_, i) => String(31001 + i)),
  action(random, issueIds, ledger) {
    const issueId = random.pick(issueIds);
    if (random.chance(0.5)) return () => stampede(ledger, random, issueId);
    return () =>
      send(issueWriter, ledger, random, [
        issueWriter.command(issueId, activity(random, Date.now()), { source: 'jira-webhook' }),
      ]);
  },
  independentModel: (before, applied) => expectedIssueState(before as IssueState | undefined, applied),
};
