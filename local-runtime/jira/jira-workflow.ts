// The local Jira's statuses and the transitions between them. A fixture may list both; without
// them the statuses are those its issues use (plus To Do, In Progress and Done), and the workflow
// is Jira's simplified one: a global transition into each status, available from every other.
import type { JiraIssue, JiraStatus, JiraStatusCategory, JiraTransition } from './fixture.js';

const DEFAULT_STATUSES: JiraStatus[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10001', name: 'Done', category: 'done' },
];

/** Jira's three status categories, as its REST API describes them. */
export const STATUS_CATEGORIES: Record<
  JiraStatusCategory,
  { id: number; key: JiraStatusCategory; colorName: string; name: string; searchName: string }
> = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do', searchName: 'TODO' },
  indeterminate: {
    id: 4,
    key: 'indeterminate',
    colorName: 'yellow',
    name: 'In Progress',
    searchName: 'IN_PROGRESS',
  },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done', searchName: 'DONE' },
};

export class JiraWorkflow {
  readonly statuses: readonly JiraStatus[];
  private readonly transitions: readonly JiraTransition[];

  constructor(issues: readonly JiraIssue[], statuses?: JiraStatus[], transitions?: JiraTransition[]) {
    this.statuses = statuses?.length ? statuses : statusesOf(issues);
    this.transitions = transitions?.length
      ? transitions
      : this.statuses.map((status, i) => ({ id: String(11 + i * 10), name: status.name, to: status.id }));
    for (const t of this.transitions) {
      if (!this.status(t.to))
        throw new Error(`Invalid Jira fixture: transition ${t.id} goes to '${t.to}', which is not a status`);
    }
  }

  /** A status by id or name (names are case-insensitive, as in JQL). */
  status(ref: string): JiraStatus | undefined {
    const lower = ref.toLowerCase();
    return this.statuses.find((s) => s.id === ref || s.name.toLowerCase() === lower);
  }

  /** The issue's status as the workflow knows it (an unknown name is kept, as In Progress). */
  statusOf(issue: JiraIssue): JiraStatus {
    const current = issue.fields.status;
    const id = typeof current['id'] === 'string' ? current['id'] : undefined;
    return (
      (id ? this.status(id) : undefined) ??
      this.status(current.name) ?? { id: id ?? current.name, name: current.name, category: 'indeterminate' }
    );
  }

  /** The transitions open to the issue now: from its status (or global), not into its status. */
  available(issue: JiraIssue): Array<{ transition: JiraTransition; to: JiraStatus }> {
    const from = this.statusOf(issue);
    const project = issue.fields.project.key;
    return this.transitions.flatMap((transition) => {
      const to = this.status(transition.to)!;
      const fromMatches =
        transition.from === undefined ||
        transition.from.some((ref) => ref === from.id || ref.toLowerCase() === from.name.toLowerCase());
      const projectMatches = transition.projects === undefined || transition.projects.includes(project);
      // A global transition does not loop back into the status the issue is in.
      const loops = transition.from === undefined && to.id === from.id;
      return fromMatches && projectMatches && !loops ? [{ transition, to }] : [];
    });
  }

  /** The statuses a project's workflow uses: where its transitions start and end. */
  statusesIn(projectKey: string): JiraStatus[] {
    const used = new Set<string>();
    for (const t of this.transitions) {
      if (t.projects !== undefined && !t.projects.includes(projectKey)) continue;
      used.add(this.status(t.to)!.id);
      for (const ref of t.from ?? []) {
        const from = this.status(ref);
        if (from) used.add(from.id);
      }
    }
    return this.statuses.filter((s) => used.has(s.id));
  }

  isGlobal(transition: JiraTransition): boolean {
    return transition.from === undefined;
  }
}

function statusesOf(issues: readonly JiraIssue[]): JiraStatus[] {
  const found = new Map<string, JiraStatus>();
  for (const issue of issues) {
    const status = issue.fields.status;
    const key = status.name.toLowerCase();
    if (found.has(key)) continue;
    const category = (status['statusCategory'] as { key?: unknown } | undefined)?.key;
    found.set(key, {
      id: typeof status['id'] === 'string' ? status['id'] : '',
      name: status.name,
      category: isCategory(category) ? category : guessCategory(status.name),
    });
  }
  for (const status of DEFAULT_STATUSES) {
    if (!found.has(status.name.toLowerCase())) found.set(status.name.toLowerCase(), status);
  }
  // Statuses the fixture gave no id get one past the others.
  let next = 20000;
  return [...found.values()].map((s) => (s.id ? s : { ...s, id: String(next++) }));
}

function isCategory(value: unknown): value is JiraStatusCategory {
  return value === 'new' || value === 'indeterminate' || value === 'done';
}

function guessCategory(name: string): JiraStatusCategory {
  const lower = name.toLowerCase();
  if (['done', 'closed', 'resolved'].includes(lower)) return 'done';
  if (['to do', 'open', 'backlog', 'new'].includes(lower)) return 'new';
  return 'indeterminate';
}
