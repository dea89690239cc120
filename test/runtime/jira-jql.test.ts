// The local Jira's JQL subset: each supported clause gives the same issues as filtering the fixture
// by hand, and anything outside the subset is a 400 with a message, never a wrong result.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import type { JiraCaller, JiraIssue } from '../../local-runtime/jira/jira-emulator.js';
import { VIEWER, testJira } from './jira-test-fixture.js';

const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');
let rt: LocalForgeRuntime;
beforeAll(async () => {
  rt = await createRuntime({ appDir, jira: testJira });
});
afterAll(() => rt.close());

async function search(jql: string, caller: JiraCaller = { kind: 'app' }) {
  const response = await rt.jira.fetch(
    '/rest/api/3/search/jql',
    { method: 'POST', body: JSON.stringify({ jql, fields: ['key'], maxResults: 5000 }) },
    caller,
  );
  const body = (await response.json()) as { issues?: Array<{ id: string }>; errorMessages?: string[] };
  const keys = (body.issues ?? []).map((i) => rt.jira.inspect.issue(i.id)!.key);
  return { status: response.status, keys, errors: body.errorMessages ?? [] };
}

const where = (p: (issue: JiraIssue) => boolean) =>
  rt.jira.inspect
    .issues()
    .filter(p)
    .map((i) => i.key)
    .sort();

describe('supported clauses', () => {
  it.each([
    ['project = ALPHA', (i: JiraIssue) => i.fields.project.key === 'ALPHA'],
    ['project = "Beta Mobile"', (i: JiraIssue) => i.fields.project.key === 'BETA'],
    ['project in (ALPHA, 10001)', () => true],
    ['key = ALPHA-3', (i: JiraIssue) => i.key === 'ALPHA-3'],
    ['key in (ALPHA-1, beta-2, 10102)', (i: JiraIssue) => ['ALPHA-1', 'BETA-2', 'ALPHA-3'].includes(i.key)],
    ['issue in (BETA-4, BETA-5)', (i: JiraIssue) => ['BETA-4', 'BETA-5'].includes(i.key)],
    ['status = "In Review"', (i: JiraIssue) => i.fields.status.name === 'In Review'],
    ['status != Done', (i: JiraIssue) => i.fields.status.name !== 'Done'],
    [
      "status in ('to do', 'In Progress')",
      (i: JiraIssue) => ['To Do', 'In Progress'].includes(i.fields.status.name),
    ],
    [
      'updated >= "2026-01-10"',
      (i: JiraIssue) => Date.parse(i.fields.updated.replace('+0000', 'Z')) >= Date.UTC(2026, 0, 10),
    ],
    [
      'created < 2026/01/05',
      (i: JiraIssue) => Date.parse(i.fields.created.replace('+0000', 'Z')) < Date.UTC(2026, 0, 5),
    ],
    [
      'project = BETA AND status = Done OR key = ALPHA-1',
      (i: JiraIssue) =>
        (i.fields.project.key === 'BETA' && i.fields.status.name === 'Done') || i.key === 'ALPHA-1',
    ],
    [
      'project = BETA AND (status = Done OR status = "To Do")',
      (i: JiraIssue) => i.fields.project.key === 'BETA' && ['Done', 'To Do'].includes(i.fields.status.name),
    ],
    [
      'project = ALPHA AND NOT status = Done',
      (i: JiraIssue) => i.fields.project.key === 'ALPHA' && i.fields.status.name !== 'Done',
    ],
    [
      'assignee is EMPTY and project = BETA',
      (i: JiraIssue) => i.fields.project.key === 'BETA' && !i.fields['assignee'],
    ],
    ['summary ~ "issue 1"', (i: JiraIssue) => String(i.fields.summary).includes('issue 1')],
  ])('%s', async (jql, predicate) => {
    const { status, keys, errors } = await search(jql);
    expect(errors).toEqual([]);
    expect(status).toBe(200);
    expect(keys.sort()).toEqual(where(predicate));
  });

  it('assignee = currentUser() is the calling user', async () => {
    const { keys } = await search('assignee = currentUser()', { kind: 'user', accountId: VIEWER });
    expect(keys.sort()).toEqual(
      where((i) => (i.fields['assignee'] as { accountId?: string } | null)?.accountId === VIEWER),
    );
  });
});

describe('ORDER BY', () => {
  it('sorts by the fields given, then by id', async () => {
    const { keys } = await search('project = BETA ORDER BY updated DESC');
    const expected = testJira.issues
      .filter((i) => i.fields.project.key === 'BETA')
      .sort((a, b) => b.fields.updated.localeCompare(a.fields.updated) || Number(b.id) - Number(a.id))
      .map((i) => i.key);
    expect(keys).toEqual(expected);
    const byStatus = await search('project = ALPHA order by status asc, key desc');
    // "done" sorts first; among the Done issues (1, 3, 7, ..., 23) the highest key comes first.
    expect(byStatus.keys[0]).toBe('ALPHA-23');
  });

  it('lists newest first without ORDER BY', async () => {
    const { keys } = await search('project = ALPHA');
    expect(keys[0]).toBe('ALPHA-25');
    expect(keys.at(-1)).toBe('ALPHA-1');
  });
});

describe('queries outside the subset are 400s with a message', () => {
  it.each([
    ['project ~ ALPHA', /operator '~' is not supported/],
    ['labels = foo', /Field 'labels' does not exist/],
    ['project = ', /expecting a value/],
    ['project ALPHA', /expecting an operator/],
    ['status = "Done', /not closed/],
    ['project = ALPHA ORDER BY rank', /does not support sorting/],
    ['updated >= "yesterday"', /Date value 'yesterday'/],
    ['project = NOPE', /The value 'NOPE' does not exist for the field 'project'/],
    ['key = ALPHA-999', /An issue with key 'ALPHA-999' does not exist/],
    ['project = ALPHA AND', /expecting a field name/],
    ['(project = ALPHA', /expecting '\)'/],
    ['project in ALPHA', /expecting '\('/],
    ['status = membersOf("x")', /function 'membersOf\(\)' is not supported/],
    ['project = ALPHA extra', /expecting AND, OR or ORDER BY/],
  ])('%s', async (jql, message) => {
    const { status, errors } = await search(jql);
    expect(status).toBe(400);
    expect(errors[0]).toMatch(message);
  });

  it('treats a project the user cannot browse as unknown', async () => {
    const { status, errors } = await search('project = BETA', { kind: 'user', accountId: 'nobody-id' });
    expect(status).toBe(400);
    expect(errors[0]).toMatch(/does not exist for the field 'project'/);
  });
});
