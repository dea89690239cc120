// `report`: a time-in-status report job over 2,000 issues, with progress tracking. The Jira it
// reads is generated here: issues created in January 2026, each moved through a few statuses.
import type { JiraFixture } from '../../local-runtime/jira/fixture.js';
import { SeededRandom } from '../../local-runtime/kernel/random.js';
import { REALISTIC_STATE, type StateShape } from '../workload.js';
import type { ReportScenario } from './types.js';

export const REPORT_ISSUES = 2_000;
export const REPORT_PAGE_SIZE = 100;
/** The job starts after every issue's creation and changelog, as time-in-status needs. */
export const REPORT_START = Date.UTC(2026, 2, 1, 9, 0);
export const FIRST_REPORT_ISSUE = 40_001;

const STATUSES = ['To Do', 'In Progress', 'In Review', 'Done'] as const;

export function report(
  issues = REPORT_ISSUES,
  pageSize = REPORT_PAGE_SIZE,
  state: StateShape = REALISTIC_STATE,
): ReportScenario {
  return { kind: 'report', name: 'report', issues, pageSize, state };
}

const jiraTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/** A Jira with `count` issues in one project; the same for every seed, so every run reads the same. */
export function reportJira(count: number): JiraFixture {
  const random = new SeededRandom(7);
  const issues = Array.from({ length: count }, (_, i) => {
    const created = Date.UTC(2026, 0, 1) + random.int(0, 30 * 86_400_000);
    const moves = random.int(0, 3);
    let at = created;
    const changelog = Array.from({ length: moves }, (_, m) => {
      at += random.int(60_000, 5 * 86_400_000);
      return {
        id: String(i * 10 + m + 1),
        created: jiraTime(at),
        items: [{ field: 'status', fromString: STATUSES[m]!, toString: STATUSES[m + 1]! }],
      };
    });
    return {
      id: String(FIRST_REPORT_ISSUE + i),
      key: `BEN-${i + 1}`,
      fields: {
        summary: `Bench issue ${i + 1}`,
        status: { name: STATUSES[moves]! },
        project: { key: 'BEN' },
        created: jiraTime(created),
        updated: jiraTime(at),
      },
      changelog,
    };
  });
  return {
    appAccountId: 'app-account-id',
    users: [{ accountId: 'user-admin', displayName: 'Ada Admin', projects: { '*': ['BROWSE_PROJECTS'] } }],
    projects: [{ id: '10100', key: 'BEN', name: 'Bench' }],
    issues,
  };
}
