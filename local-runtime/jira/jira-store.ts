// The local Jira's data with its indexes, and who may see what: a user holds the permissions the
// fixture grants per project (or on `*`); the app holds every permission everywhere.
import type {
  JiraData,
  JiraGlobalPermission,
  JiraIssue,
  JiraPermission,
  JiraProject,
  JiraUser,
} from './fixture.js';

export type JiraCaller = { kind: 'app' } | { kind: 'user'; accountId: string };

export const DEFAULT_APP_ACCOUNT_ID = 'app-account-id';
export const DEFAULT_BASE_URL = 'https://local-forge.atlassian.net';

export class JiraStore {
  readonly appAccountId: string;
  readonly baseUrl: string;
  readonly issues: readonly JiraIssue[];
  readonly projects: readonly JiraProject[];
  private readonly byKey = new Map<string, JiraIssue>();
  private readonly byId = new Map<string, JiraIssue>();
  private readonly users = new Map<string, JiraUser>();

  constructor(data: JiraData) {
    this.appAccountId = data.appAccountId ?? DEFAULT_APP_ACCOUNT_ID;
    this.baseUrl = (data.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.issues = data.issues;
    for (const issue of data.issues) {
      this.byKey.set(issue.key.toUpperCase(), issue);
      this.byId.set(issue.id, issue);
    }
    for (const user of data.users) this.users.set(user.accountId, user);
    this.projects = data.projects?.length ? data.projects : projectsOf(data.issues);
  }

  /** An issue by id or key (keys are case-insensitive in Jira), regardless of permissions. */
  issue(idOrKey: string): JiraIssue | undefined {
    return /^\d+$/.test(idOrKey) ? this.byId.get(idOrKey) : this.byKey.get(idOrKey.toUpperCase());
  }

  /** A project by key (case-insensitive), id or name. */
  project(ref: string): JiraProject | undefined {
    const upper = ref.toUpperCase();
    return this.projects.find(
      (p) => p.key.toUpperCase() === upper || p.id === ref || p.name.toUpperCase() === upper,
    );
  }

  user(accountId: string): JiraUser | undefined {
    return this.users.get(accountId);
  }

  allUsers(): JiraUser[] {
    return [...this.users.values()];
  }

  has(caller: JiraCaller, projectKey: string, permission: JiraPermission): boolean {
    if (caller.kind === 'app') return true;
    const user = this.users.get(caller.accountId);
    if (!user) return false;
    return [...(user.projects[projectKey] ?? []), ...(user.projects['*'] ?? [])].includes(permission);
  }

  hasGlobal(caller: JiraCaller, permission: JiraGlobalPermission): boolean {
    if (caller.kind === 'app') return true;
    return this.users.get(caller.accountId)?.global?.includes(permission) ?? false;
  }

  /** Jira hides an issue the caller may not browse: it answers as if the issue did not exist. */
  canSee(caller: JiraCaller, issue: JiraIssue): boolean {
    return this.has(caller, issue.fields.project.key, 'BROWSE_PROJECTS');
  }

  visibleIssue(caller: JiraCaller, idOrKey: string): JiraIssue | undefined {
    const issue = this.issue(idOrKey);
    return issue && this.canSee(caller, issue) ? issue : undefined;
  }
}

function projectsOf(issues: readonly JiraIssue[]): JiraProject[] {
  const seen = new Map<string, JiraProject>();
  for (const issue of issues) {
    const p = issue.fields.project;
    if (seen.has(p.key)) continue;
    const id = typeof p['id'] === 'string' ? p['id'] : String(10000 + seen.size);
    const name = typeof p['name'] === 'string' ? p['name'] : p.key;
    seen.set(p.key, { id, key: p.key, name });
  }
  return [...seen.values()];
}
