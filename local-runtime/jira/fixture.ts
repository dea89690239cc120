// The local Jira's data: users with per-project permissions, projects and issues with their
// changelogs and comments, statuses and the transitions between them, agile boards and sprints, and
// the user's own answers for endpoints the local Jira does not emulate; read from a fixture file
// (`fixtures/jira.json`) or given as an object.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** Project permissions the local Jira knows; fixtures grant any of them per project. */
export const PROJECT_PERMISSIONS = [
  'BROWSE_PROJECTS',
  'EDIT_ISSUES',
  'CREATE_ISSUES',
  'TRANSITION_ISSUES',
  'ASSIGN_ISSUES',
  'ADD_COMMENTS',
  'EDIT_OWN_COMMENTS',
  'EDIT_ALL_COMMENTS',
  'DELETE_OWN_COMMENTS',
  'DELETE_ALL_COMMENTS',
  'DELETE_ISSUES',
  'MOVE_ISSUES',
  'CREATE_ATTACHMENTS',
  'DELETE_ALL_ATTACHMENTS',
  'ADMINISTER_PROJECTS',
] as const;
export type JiraPermission = (typeof PROJECT_PERMISSIONS)[number];

/** Global permissions the local Jira knows (Jira's `type: GLOBAL`); fixtures grant them per user. */
export const GLOBAL_PERMISSIONS = ['ADMINISTER'] as const;
export type JiraGlobalPermission = (typeof GLOBAL_PERMISSIONS)[number];

const permission = z.enum(PROJECT_PERMISSIONS);
const record = z.record(z.string(), z.unknown());

const userSchema = z.object({
  accountId: z.string().min(1),
  displayName: z.string(),
  emailAddress: z.string().optional(),
  /** project key (or `*` for every project) -> permissions the user holds there */
  projects: z.record(z.string(), z.array(permission)),
  /** Global permissions, e.g. `ADMINISTER` for a Jira administrator. */
  global: z.array(z.enum(GLOBAL_PERMISSIONS)).optional(),
});

const projectSchema = z.object({ id: z.string(), key: z.string(), name: z.string() });

const historySchema = z
  .object({
    id: z.string(),
    created: z.string(),
    author: record.optional(),
    items: z.array(
      z
        .object({ field: z.string(), fromString: z.string().nullable(), toString: z.string().nullable() })
        .passthrough(),
    ),
  })
  .passthrough();

/** A comment as a fixture writes it: the body as plain text (made ADF) or ADF, the author by id. */
const commentSchema = z.object({
  id: z.string(),
  author: z.string(),
  body: z.union([z.string(), record]),
  created: z.string(),
  updated: z.string().optional(),
});

const issueSchema = z.object({
  id: z.string(),
  key: z.string(),
  fields: z
    .object({
      summary: z.string().optional(),
      status: z.object({ name: z.string() }).passthrough(),
      project: z.object({ key: z.string() }).passthrough(),
      created: z.string(),
      updated: z.string(),
    })
    .passthrough(),
  changelog: z.array(historySchema).optional(),
  comments: z.array(commentSchema).optional(),
});

const statusCategory = z.enum(['new', 'indeterminate', 'done']);

const statusSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Jira's status category key: `new` (To Do), `indeterminate` (In Progress) or `done`. */
  category: statusCategory,
  description: z.string().optional(),
});

/** A workflow transition; without `from` it is global (available from every other status). */
const transitionSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The target status, by name or id. */
  to: z.string(),
  /** Statuses (names or ids) it starts from; every status when absent. */
  from: z.array(z.string()).optional(),
  /** Projects it applies to; every project when absent. */
  projects: z.array(z.string()).optional(),
});

const boardSchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  type: z.enum(['scrum', 'kanban', 'simple']).default('scrum'),
  projectKey: z.string(),
  /** The board's filter; `project = <projectKey>` when absent. */
  jql: z.string().optional(),
});

const sprintSchema = z.object({
  id: z.number().int().positive(),
  boardId: z.number().int().positive(),
  name: z.string(),
  state: z.enum(['future', 'active', 'closed']),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  completeDate: z.string().optional(),
  goal: z.string().optional(),
  /** Keys of the issues in the sprint. */
  issues: z.array(z.string()).default([]),
});

/** A user's answer for an endpoint the local Jira lacks: `{name}` in `path` matches one segment. */
const answerSchema = z.object({
  method: z.string().default('GET'),
  path: z.string().startsWith('/'),
  status: z.number().int().min(100).max(599).default(200),
  body: z.unknown().optional(),
});

export const jiraFixtureSchema = z.object({
  /** The account `asApp()` calls act as; product events carrying it are the app's own. */
  appAccountId: z.string().optional(),
  baseUrl: z.string().optional(),
  users: z.array(userSchema),
  projects: z.array(projectSchema).optional(),
  issues: z.array(issueSchema),
  /** The site's statuses; those the issues use (and To Do, In Progress, Done) when absent. */
  statuses: z.array(statusSchema).optional(),
  /** The workflow's transitions; one global transition into each status when absent. */
  transitions: z.array(transitionSchema).optional(),
  boards: z.array(boardSchema).optional(),
  sprints: z.array(sprintSchema).optional(),
  /** Custom fields whose values are rich text (ADF in REST v3, a string in v2), e.g. textareas. */
  richTextFields: z.array(z.string()).optional(),
  /** Answers for endpoints the local Jira does not emulate (docs/local-runtime.md). */
  answers: z.array(answerSchema).optional(),
});

export type JiraFixture = z.input<typeof jiraFixtureSchema>;
export type JiraUser = z.infer<typeof userSchema>;
export type JiraProject = z.infer<typeof projectSchema>;
export type JiraHistory = z.infer<typeof historySchema>;

/** A changelog item for a status change, in Jira's shape (the store's transitions, the fixture maker). */
export function statusChangeItem(
  from: { id: string; name: string },
  to: { id: string; name: string },
): JiraHistory['items'][number] {
  return {
    field: 'status',
    fieldtype: 'jira',
    fieldId: 'status',
    from: from.id,
    fromString: from.name,
    to: to.id,
    toString: to.name,
  };
}
export type JiraIssue = z.infer<typeof issueSchema>;
export type JiraFixtureComment = z.infer<typeof commentSchema>;
export type JiraStatus = z.infer<typeof statusSchema>;
export type JiraStatusCategory = z.infer<typeof statusCategory>;
export type JiraTransition = z.infer<typeof transitionSchema>;
export type JiraBoard = z.infer<typeof boardSchema>;
export type JiraSprint = z.infer<typeof sprintSchema>;
export type JiraFixtureAnswer = z.infer<typeof answerSchema>;
export type JiraData = z.infer<typeof jiraFixtureSchema>;

export const EMPTY_FIXTURE: JiraData = { users: [], projects: [], issues: [] };

/** Reads and checks a fixture; a missing file is an empty Jira, a malformed one an error. */
export function loadJiraFixture(source: string | JiraFixture): JiraData {
  if (typeof source !== 'string') return parseFixture(source, 'the Jira fixture');
  if (!existsSync(source)) return EMPTY_FIXTURE;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(source, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`Jira fixture ${source} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseFixture(json, source);
}

function parseFixture(input: unknown, where: string): JiraData {
  const parsed = jiraFixtureSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `Invalid ${where}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown error'}`,
    );
  }
  const data = parsed.data;
  const keys = new Set<string>();
  for (const issue of data.issues) {
    if (keys.has(issue.key) || keys.has(`#${issue.id}`))
      throw new Error(`Invalid ${where}: duplicate issue ${issue.key}`);
    keys.add(issue.key).add(`#${issue.id}`);
  }
  const boards = new Set((data.boards ?? []).map((b) => b.id));
  for (const sprint of data.sprints ?? []) {
    if (!boards.has(sprint.boardId))
      throw new Error(
        `Invalid ${where}: sprint ${sprint.id} names board ${sprint.boardId}, which is not in boards`,
      );
    const missing = sprint.issues.find((key) => !keys.has(key));
    if (missing)
      throw new Error(`Invalid ${where}: sprint ${sprint.id} names issue ${missing}, which is not in issues`);
  }
  return data;
}
