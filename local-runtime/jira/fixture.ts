// The local Jira's data: users with per-project permissions, projects and issues with their
// changelogs, read from a fixture file (`fixtures/jira.json`) or given as an object.
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
  'DELETE_ISSUES',
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
});

export const jiraFixtureSchema = z.object({
  /** The account `asApp()` calls act as; product events carrying it are the app's own. */
  appAccountId: z.string().optional(),
  baseUrl: z.string().optional(),
  users: z.array(userSchema),
  projects: z.array(projectSchema).optional(),
  issues: z.array(issueSchema),
});

export type JiraFixture = z.input<typeof jiraFixtureSchema>;
export type JiraUser = z.infer<typeof userSchema>;
export type JiraProject = z.infer<typeof projectSchema>;
export type JiraHistory = z.infer<typeof historySchema>;
export type JiraIssue = z.infer<typeof issueSchema>;
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
  return data;
}
