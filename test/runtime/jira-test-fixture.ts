// A deterministic Jira for the runtime tests: two projects, users with different access, and
// issues whose timestamps and statuses follow from their number.
import type { JiraFixture } from '../../local-runtime/jira/jira-emulator.js';

export const ADMIN = 'admin-id';
export const VIEWER = 'viewer-id';
export const ALPHA_ONLY = 'alpha-only-id';
export const NOBODY = 'nobody-id';

const STATUSES = ['To Do', 'In Progress', 'In Review', 'Done'];
const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 1, 9);
const jiraTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

function issues(projectKey: string, count: number, firstId: number): JiraFixture['issues'] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const created = start + n * DAY;
    const steps = n % 4;
    // ALPHA-1 has a long history, for changelog paging.
    const transitions = projectKey === 'ALPHA' && n === 1 ? 7 : steps;
    const changelog = Array.from({ length: transitions }, (_, s) => ({
      id: `${firstId + i}${String(s).padStart(2, '0')}`,
      created: jiraTime(created + (s + 1) * 3_600_000),
      author: { accountId: ADMIN, displayName: 'Ada Admin' },
      items: [
        {
          field: 'status',
          fromString: STATUSES[s % 4]!,
          toString: STATUSES[(s + 1) % 4]!,
        },
      ],
    }));
    return {
      id: String(firstId + i),
      key: `${projectKey}-${n}`,
      fields: {
        summary: `${projectKey} issue ${n}`,
        status: { name: STATUSES[transitions % 4]! },
        issuetype: { name: n % 2 === 0 ? 'Bug' : 'Task' },
        project: { key: projectKey },
        assignee: n % 3 === 0 ? { accountId: VIEWER, displayName: 'Victor Viewer' } : null,
        created: jiraTime(created),
        updated: jiraTime(created + transitions * 3_600_000),
      },
      changelog,
    };
  });
}

export const testJira: JiraFixture = {
  users: [
    { accountId: ADMIN, displayName: 'Ada Admin', projects: { '*': ['BROWSE_PROJECTS', 'EDIT_ISSUES'] } },
    {
      accountId: VIEWER,
      displayName: 'Victor Viewer',
      projects: { ALPHA: ['BROWSE_PROJECTS'], BETA: ['BROWSE_PROJECTS'] },
    },
    {
      accountId: ALPHA_ONLY,
      displayName: 'Alma Alpha',
      projects: { ALPHA: ['BROWSE_PROJECTS', 'EDIT_ISSUES'] },
    },
    { accountId: NOBODY, displayName: 'Nora Nobody', projects: {} },
  ],
  projects: [
    { id: '10000', key: 'ALPHA', name: 'Alpha Platform' },
    { id: '10001', key: 'BETA', name: 'Beta Mobile' },
  ],
  issues: [...issues('ALPHA', 25, 10100), ...issues('BETA', 12, 10200)],
};
