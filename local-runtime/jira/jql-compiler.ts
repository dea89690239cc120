// Turns a parsed JQL query into a filter and an ordering over the local Jira's issues. Only the
// fields and operators below are supported; anything else is a JqlError (HTTP 400), never a
// silently wrong result. Like Jira, values naming a project or issue the caller cannot see are
// errors too ("does not exist for the field").
import type { JiraIssue } from './fixture.js';
import { parseJiraTimestamp, parseJqlDate } from './jira-dates.js';
import type { JiraCaller, JiraStore } from './jira-store.js';
import {
  JqlError,
  parseJql,
  type JqlClause,
  type JqlNode,
  type JqlQuery,
  type JqlValue,
} from './jql-parser.js';

export interface CompiledJql {
  /** True when the query restricts the result (the enhanced search refuses unbounded queries). */
  bounded: boolean;
  matches(issue: JiraIssue): boolean;
  compare(a: JiraIssue, b: JiraIssue): number;
}

type Predicate = (issue: JiraIssue) => boolean;
type FieldKind = 'project' | 'issue' | 'status' | 'issuetype' | 'assignee' | 'date' | 'text';

const FIELDS: Record<string, { kind: FieldKind; name: string }> = {
  project: { kind: 'project', name: 'project' },
  key: { kind: 'issue', name: 'key' },
  issue: { kind: 'issue', name: 'issue' },
  issuekey: { kind: 'issue', name: 'issuekey' },
  id: { kind: 'issue', name: 'id' },
  status: { kind: 'status', name: 'status' },
  issuetype: { kind: 'issuetype', name: 'issuetype' },
  type: { kind: 'issuetype', name: 'type' },
  assignee: { kind: 'assignee', name: 'assignee' },
  created: { kind: 'date', name: 'created' },
  createddate: { kind: 'date', name: 'created' },
  updated: { kind: 'date', name: 'updated' },
  updateddate: { kind: 'date', name: 'updated' },
  summary: { kind: 'text', name: 'summary' },
};

const EQUALITY = new Set(['=', '!=', 'in', 'not in']);

export function compileJql(jql: string, store: JiraStore, caller: JiraCaller, now: number): CompiledJql {
  const query: JqlQuery = parseJql(jql);
  const matches = query.where ? compileNode(query.where, store, caller, now) : () => true;
  return { bounded: query.where !== undefined, matches, compare: compileOrder(query) };
}

function compileNode(node: JqlNode, store: JiraStore, caller: JiraCaller, now: number): Predicate {
  switch (node.type) {
    case 'and': {
      const parts = node.children.map((c) => compileNode(c, store, caller, now));
      return (issue) => parts.every((p) => p(issue));
    }
    case 'or': {
      const parts = node.children.map((c) => compileNode(c, store, caller, now));
      return (issue) => parts.some((p) => p(issue));
    }
    case 'not': {
      const inner = compileNode(node.child, store, caller, now);
      return (issue) => !inner(issue);
    }
    case 'clause':
      return compileClause(node, store, caller, now);
  }
}

function compileClause(clause: JqlClause, store: JiraStore, caller: JiraCaller, now: number): Predicate {
  const field = FIELDS[clause.field.toLowerCase()];
  if (!field) {
    throw new JqlError(
      `Field '${clause.field}' does not exist or is not supported by the local Jira (supported: ${Object.keys(FIELDS).join(', ')}).`,
    );
  }
  const op = clause.operator;
  const unsupported = () =>
    new JqlError(`The operator '${op}' is not supported by the '${clause.field}' field in the local Jira.`);

  switch (field.kind) {
    case 'project':
    case 'issue':
    case 'status':
    case 'issuetype': {
      if (!EQUALITY.has(op)) throw unsupported();
      const wanted = clause.values.map((v) => textOf(v, clause.field));
      const test = equalityTest(field.kind, field.name, wanted, store, caller);
      return negatable(op, test);
    }
    case 'assignee': {
      if (op === 'is' || op === 'is not') {
        if (clause.values[0]?.kind !== 'empty')
          throw new JqlError(`'${op}' needs EMPTY or NULL for '${clause.field}'.`);
        return negatable(op === 'is' ? '=' : '!=', (issue) => assigneeOf(issue) === undefined);
      }
      if (!EQUALITY.has(op)) throw unsupported();
      const wanted = clause.values.map((v) => assigneeValue(v, caller, clause.field));
      return negatable(op, (issue) => wanted.includes(assigneeOf(issue)));
    }
    case 'date': {
      if (!['=', '!=', '>', '>=', '<', '<='].includes(op)) throw unsupported();
      const raw = textOf(clause.values[0]!, clause.field);
      const at = parseJqlDate(raw, now);
      if (at === undefined) {
        throw new JqlError(
          `Date value '${raw}' for field '${clause.field}' is invalid. Valid formats: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period such as '-5d'.`,
        );
      }
      const name = field.name as 'created' | 'updated';
      return (issue) => compareNumbers(op, parseJiraTimestamp(issue.fields[name]), at);
    }
    case 'text': {
      if (op !== '~' && op !== '!~') throw unsupported();
      const needle = textOf(clause.values[0]!, clause.field).toLowerCase().replace(/\*/g, '');
      return (issue) => (issue.fields.summary ?? '').toLowerCase().includes(needle) === (op === '~');
    }
  }
}

function equalityTest(
  kind: FieldKind,
  fieldName: string,
  wanted: string[],
  store: JiraStore,
  caller: JiraCaller,
): Predicate {
  if (kind === 'project') {
    const keys = new Set(
      wanted.map((ref) => {
        const project = store.project(ref);
        if (!project || !store.has(caller, project.key, 'BROWSE_PROJECTS')) {
          throw new JqlError(`The value '${ref}' does not exist for the field '${fieldName}'.`);
        }
        return project.key;
      }),
    );
    return (issue) => keys.has(issue.fields.project.key);
  }
  if (kind === 'issue') {
    const ids = new Set(
      wanted.map((ref) => {
        const issue = store.visibleIssue(caller, ref);
        if (!issue) throw new JqlError(`An issue with key '${ref}' does not exist for field '${fieldName}'.`);
        return issue.id;
      }),
    );
    return (issue) => ids.has(issue.id);
  }
  const names = new Set(wanted.map((w) => w.toLowerCase()));
  if (kind === 'status') return (issue) => names.has(issue.fields.status.name.toLowerCase());
  return (issue) => names.has(nameOf(issue.fields['issuetype'])?.toLowerCase() ?? '');
}

function negatable(op: string, test: Predicate): Predicate {
  return op === '!=' || op === 'not in' ? (issue) => !test(issue) : test;
}

function textOf(value: JqlValue, field: string): string {
  if (value.kind === 'text') return value.text;
  if (value.kind === 'empty')
    throw new JqlError(`EMPTY is not supported for the field '${field}' in the local Jira.`);
  throw new JqlError(
    `The function '${value.name}()' is not supported for the field '${field}' in the local Jira.`,
  );
}

function assigneeValue(value: JqlValue, caller: JiraCaller, field: string): string | undefined {
  if (value.kind === 'empty') return undefined;
  if (value.kind === 'function') {
    if (value.name.toLowerCase() !== 'currentuser') textOf(value, field);
    return caller.kind === 'user' ? caller.accountId : '\u0000no-user';
  }
  return value.text;
}

function assigneeOf(issue: JiraIssue): string | undefined {
  const assignee = issue.fields['assignee'];
  if (
    assignee &&
    typeof assignee === 'object' &&
    'accountId' in assignee &&
    typeof assignee.accountId === 'string'
  ) {
    return assignee.accountId;
  }
  return undefined;
}

function nameOf(value: unknown): string | undefined {
  if (value && typeof value === 'object' && 'name' in value && typeof value.name === 'string')
    return value.name;
  return undefined;
}

function compareNumbers(op: string, a: number, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    default:
      return a <= b;
  }
}

// --- ORDER BY ---

type SortKey = (issue: JiraIssue) => string | number;

const SORT_KEYS: Record<string, SortKey> = {
  key: (issue) => issue.key.replace(/\d+$/, (n) => n.padStart(12, '0')),
  issuekey: (issue) => SORT_KEYS['key']!(issue),
  id: (issue) => Number(issue.id),
  created: (issue) => parseJiraTimestamp(issue.fields.created),
  updated: (issue) => parseJiraTimestamp(issue.fields.updated),
  status: (issue) => issue.fields.status.name.toLowerCase(),
  project: (issue) => issue.fields.project.key,
  summary: (issue) => (issue.fields.summary ?? '').toLowerCase(),
  issuetype: (issue) => nameOf(issue.fields['issuetype'])?.toLowerCase() ?? '',
  assignee: (issue) => assigneeOf(issue) ?? '',
};

function compileOrder(query: JqlQuery): (a: JiraIssue, b: JiraIssue) => number {
  // Without ORDER BY, Jira lists the newest issues first; the id breaks every tie, so paging is stable.
  const order =
    query.orderBy.length > 0 ? [...query.orderBy] : [{ field: 'created', direction: 'desc' as const }];
  const keys = order.map(({ field, direction }) => {
    const key = SORT_KEYS[field.toLowerCase()];
    if (!key) throw new JqlError(`Field '${field}' does not support sorting in the local Jira.`);
    return { key, sign: direction === 'desc' ? -1 : 1 };
  });
  keys.push({ key: SORT_KEYS['id']!, sign: order[0]!.direction === 'desc' ? -1 : 1 });
  return (a, b) => {
    for (const { key, sign } of keys) {
      const x = key(a);
      const y = key(b);
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return 0;
  };
}
