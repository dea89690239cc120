// How the local Jira renders an issue: the `fields` selection (`*all`, `*navigable`, names, and
// `-name` exclusions, as one comma list or repeated), `expand=changelog`, and `self` links.
import type { JiraHistory, JiraIssue } from './fixture.js';
import { parseJiraTimestamp } from './jira-dates.js';

/** The most histories Jira embeds with `expand=changelog`; the changelog endpoint pages the rest. */
const EMBEDDED_HISTORIES = 100;

export interface FieldSelection {
  /** No fields at all: the enhanced search's default returns issue ids only. */
  idOnly: boolean;
  pick(fields: Record<string, unknown>): Record<string, unknown>;
}

/** `requested` as given (each entry may be a comma list); `fallback` applies when nothing is asked for. */
export function selectFields(requested: readonly string[], fallback: '*all' | 'id'): FieldSelection {
  const names = requested
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter(Boolean);
  const list = names.length > 0 ? names : [fallback];
  const include = new Set(list.filter((n) => !n.startsWith('-')));
  const exclude = new Set(list.filter((n) => n.startsWith('-')).map((n) => n.slice(1)));
  const everything = include.has('*all') || include.has('*navigable');
  const idOnly = !everything && [...include].every((n) => n === 'id' || n === 'key');
  return {
    idOnly,
    pick(fields) {
      const out: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(fields)) {
        if ((everything || include.has(name)) && !exclude.has(name)) out[name] = value;
      }
      return out;
    },
  };
}

export function renderIssue(
  issue: JiraIssue,
  baseUrl: string,
  selection: FieldSelection,
  expand: readonly string[],
): Record<string, unknown> {
  if (selection.idOnly && !expand.includes('changelog')) return { id: issue.id };
  const out: Record<string, unknown> = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: `${baseUrl}/rest/api/3/issue/${issue.id}`,
    key: issue.key,
    fields: selection.pick(issue.fields),
  };
  if (expand.includes('changelog')) {
    const all = histories(issue);
    // Embedded changelogs list the most recent entries first.
    const recent = all.slice(-EMBEDDED_HISTORIES).reverse();
    out['changelog'] = { startAt: 0, maxResults: recent.length, total: all.length, histories: recent };
  }
  return out;
}

/** Every history of an issue, oldest first. */
export function histories(issue: JiraIssue): JiraHistory[] {
  return [...(issue.changelog ?? [])].sort(
    (a, b) => parseJiraTimestamp(a.created) - parseJiraTimestamp(b.created),
  );
}

/** `expand` as a comma list, possibly repeated. */
export function expandList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim());
}
