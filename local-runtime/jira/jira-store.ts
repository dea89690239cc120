// The local Jira's data with its indexes, and who may see what: a user holds the permissions the
// fixture grants per project (or on `*`); the app holds every permission everywhere. Issues change
// through transitions and comments; each change is recorded here and announced to `onChange`.
import { isAdfDocument, textToAdf, type AdfDocument } from './adf.js';
import type {
  JiraBoard,
  JiraData,
  JiraFixtureAnswer,
  JiraGlobalPermission,
  JiraHistory,
  JiraIssue,
  JiraPermission,
  JiraProject,
  JiraSprint,
  JiraStatus,
  JiraTransition,
  JiraUser,
} from './fixture.js';
import { statusChangeItem } from './fixture.js';
import { formatJiraTimestamp } from './jira-dates.js';
import { JiraWorkflow, STATUS_CATEGORIES } from './jira-workflow.js';

export type JiraCaller = { kind: 'app' } | { kind: 'user'; accountId: string };

export const DEFAULT_APP_ACCOUNT_ID = 'app-account-id';
export const DEFAULT_BASE_URL = 'https://local-forge.atlassian.net';

/** Fields whose values are rich text: ADF in REST v3, a string in v2. */
export const RICH_TEXT_FIELDS = ['description', 'environment'] as const;

export interface JiraComment {
  id: string;
  issueId: string;
  authorId: string;
  updateAuthorId: string;
  body: AdfDocument;
  created: string;
  updated: string;
}

/** A change the local Jira made, for the product events Jira would send. */
export type JiraChange =
  | { kind: 'issue-updated'; issue: JiraIssue; actorId: string; history: JiraHistory }
  | { kind: 'comment-written'; issue: JiraIssue; actorId: string; comment: JiraComment }
  | { kind: 'comment-deleted'; issue: JiraIssue; actorId: string; comment: JiraComment };

export class JiraStore {
  readonly appAccountId: string;
  readonly baseUrl: string;
  readonly issues: readonly JiraIssue[];
  readonly projects: readonly JiraProject[];
  readonly workflow: JiraWorkflow;
  readonly boards: readonly JiraBoard[];
  readonly sprints: readonly JiraSprint[];
  readonly answers: readonly JiraFixtureAnswer[];
  readonly richTextFields: ReadonlySet<string>;
  /** Told of every change, after it is made. */
  onChange: (change: JiraChange) => void = () => undefined;
  private readonly comments = new Map<string, JiraComment[]>();
  private nextId = 1;
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
    this.workflow = new JiraWorkflow(data.issues, data.statuses, data.transitions);
    this.boards = data.boards ?? [];
    this.sprints = data.sprints ?? [];
    this.answers = data.answers ?? [];
    this.richTextFields = new Set([...RICH_TEXT_FIELDS, ...(data.richTextFields ?? [])]);
    // The store holds what REST v3 serves: rich text a fixture wrote as a string becomes ADF.
    for (const issue of data.issues) {
      for (const field of this.richTextFields) {
        const value = issue.fields[field];
        if (typeof value === 'string') issue.fields[field] = textToAdf(value);
      }
      this.comments.set(
        issue.id,
        (issue.comments ?? []).map((c) => ({
          id: c.id,
          issueId: issue.id,
          authorId: c.author,
          updateAuthorId: c.author,
          body: fixtureCommentBody(issue.key, c.id, c.body),
          created: c.created,
          updated: c.updated ?? c.created,
        })),
      );
      this.showComments(issue);
    }
    // New comments and changelog entries get ids past the fixture's.
    const ids = data.issues
      .flatMap((i) => [...(i.changelog ?? []).map((h) => h.id), ...(i.comments ?? []).map((c) => c.id)])
      .map(Number)
      .filter(Number.isInteger);
    this.nextId = Math.max(10000, ...ids) + 1;
  }

  /** The account a caller acts as: the app's own account for the app. */
  actorId(caller: JiraCaller): string {
    return caller.kind === 'app' ? this.appAccountId : caller.accountId;
  }

  /** How Jira shows a user inside another object (author, assignee). */
  userRef(accountId: string): Record<string, unknown> {
    const user = this.users.get(accountId);
    const isApp = accountId === this.appAccountId;
    return {
      self: `${this.baseUrl}/rest/api/3/user?accountId=${accountId}`,
      accountId,
      displayName: user?.displayName ?? (isApp ? 'Local Forge app' : accountId),
      active: true,
      accountType: isApp ? 'app' : 'atlassian',
    };
  }

  /** A status as Jira's REST API shows it. */
  statusView(status: JiraStatus): Record<string, unknown> {
    const category = STATUS_CATEGORIES[status.category];
    return {
      self: `${this.baseUrl}/rest/api/3/status/${status.id}`,
      description: status.description ?? '',
      iconUrl: `${this.baseUrl}/images/icons/statuses/generic.png`,
      name: status.name,
      untranslatedName: status.name,
      id: status.id,
      statusCategory: {
        self: `${this.baseUrl}/rest/api/3/statuscategory/${category.id}`,
        id: category.id,
        key: category.key,
        colorName: category.colorName,
        name: category.name,
      },
    };
  }

  /** Moves the issue along a transition, records the change in its changelog and announces it. */
  transition(
    issue: JiraIssue,
    transition: JiraTransition,
    caller: JiraCaller,
    now: number,
    fields: Record<string, unknown> = {},
  ): JiraHistory {
    const actorId = this.actorId(caller);
    const from = this.workflow.statusOf(issue);
    const to = this.workflow.status(transition.to)!;
    const items: JiraHistory['items'] = [statusChangeItem(from, to)];
    for (const [field, value] of Object.entries(fields)) {
      items.push({
        field,
        fieldtype: field.startsWith('customfield_') ? 'custom' : 'jira',
        fieldId: field,
        fromString: displayString(issue.fields[field]),
        toString: displayString(value),
      });
      issue.fields[field] = value;
    }
    issue.fields.status = this.statusView(to) as JiraIssue['fields']['status'];
    return this.recordUpdate(issue, actorId, now, items);
  }

  commentsOf(issue: JiraIssue): JiraComment[] {
    return this.comments.get(issue.id) ?? [];
  }

  /** A comment as Jira's REST API shows it. */
  commentView(issue: JiraIssue, comment: JiraComment): Record<string, unknown> {
    return {
      self: `${this.baseUrl}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
      id: comment.id,
      author: this.userRef(comment.authorId),
      body: comment.body,
      updateAuthor: this.userRef(comment.updateAuthorId),
      created: comment.created,
      updated: comment.updated,
      jsdPublic: true,
    };
  }

  comment(issue: JiraIssue, id: string): JiraComment | undefined {
    return this.commentsOf(issue).find((c) => c.id === id);
  }

  addComment(issue: JiraIssue, caller: JiraCaller, body: AdfDocument, now: number): JiraComment {
    const actorId = this.actorId(caller);
    const at = formatJiraTimestamp(now);
    const comment: JiraComment = {
      id: String(this.nextId++),
      issueId: issue.id,
      authorId: actorId,
      updateAuthorId: actorId,
      body,
      created: at,
      updated: at,
    };
    this.comments.set(issue.id, [...this.commentsOf(issue), comment]);
    this.showComments(issue);
    issue.fields.updated = at;
    this.onChange({ kind: 'comment-written', issue, actorId, comment });
    return comment;
  }

  updateComment(
    issue: JiraIssue,
    comment: JiraComment,
    caller: JiraCaller,
    body: AdfDocument,
    now: number,
  ): void {
    comment.body = body;
    comment.updateAuthorId = this.actorId(caller);
    comment.updated = formatJiraTimestamp(now);
    this.showComments(issue);
    this.onChange({ kind: 'comment-written', issue, actorId: comment.updateAuthorId, comment });
  }

  deleteComment(issue: JiraIssue, comment: JiraComment, caller: JiraCaller): void {
    this.comments.set(
      issue.id,
      this.commentsOf(issue).filter((c) => c !== comment),
    );
    this.showComments(issue);
    this.onChange({ kind: 'comment-deleted', issue, actorId: this.actorId(caller), comment });
  }

  /** The issue's `comment` field, as Jira embeds it in an issue, kept in step with its comments. */
  private showComments(issue: JiraIssue): void {
    const comments = this.commentsOf(issue);
    issue.fields['comment'] = {
      comments: comments.map((c) => this.commentView(issue, c)),
      self: `${this.baseUrl}/rest/api/3/issue/${issue.id}/comment`,
      maxResults: comments.length,
      total: comments.length,
      startAt: 0,
    };
  }

  private recordUpdate(
    issue: JiraIssue,
    actorId: string,
    now: number,
    items: JiraHistory['items'],
  ): JiraHistory {
    const at = formatJiraTimestamp(now);
    const history: JiraHistory = {
      id: String(this.nextId++),
      created: at,
      author: this.userRef(actorId),
      items,
    };
    issue.changelog = [...(issue.changelog ?? []), history];
    issue.fields.updated = at;
    this.onChange({ kind: 'issue-updated', issue, actorId, history });
    return history;
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

function fixtureCommentBody(issueKey: string, commentId: string, body: unknown): AdfDocument {
  if (typeof body === 'string') return textToAdf(body);
  if (isAdfDocument(body)) return body;
  throw new Error(
    `Invalid Jira fixture: comment ${commentId} of ${issueKey} has a body that is neither a string nor an ADF document ({"type":"doc","version":1,"content":[...]})`,
  );
}

/** How a changelog item shows a value: its name, its text, or the value itself. */
function displayString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    const named = value as { name?: unknown; value?: unknown; displayName?: unknown };
    const label = named.name ?? named.value ?? named.displayName;
    return typeof label === 'string' ? label : JSON.stringify(value);
  }
  return String(value);
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
