// The local Jira's transitions, comments, statuses, agile boards, permissions/check and the
// user's own answers, called as `requestJira` would (rt.jira.fetch is what every transport ends in).
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import type { JiraCaller, JiraFixture, JiraRoute } from '../../local-runtime/jira/jira-emulator.js';

const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');
const app: JiraCaller = { kind: 'app' };
const user = (accountId: string): JiraCaller => ({ kind: 'user', accountId });
const adf = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

const fixture: JiraFixture = {
  users: [
    {
      accountId: 'lead',
      displayName: 'Lena Lead',
      projects: {
        '*': [
          'BROWSE_PROJECTS',
          'TRANSITION_ISSUES',
          'ADD_COMMENTS',
          'EDIT_ALL_COMMENTS',
          'DELETE_ALL_COMMENTS',
        ],
      },
      global: ['ADMINISTER'],
    },
    {
      accountId: 'dev',
      displayName: 'Dev Dan',
      projects: { APP: ['BROWSE_PROJECTS', 'ADD_COMMENTS', 'EDIT_OWN_COMMENTS', 'TRANSITION_ISSUES'] },
    },
    { accountId: 'reader', displayName: 'Rita Reader', projects: { APP: ['BROWSE_PROJECTS'] } },
  ],
  projects: [
    { id: '10000', key: 'APP', name: 'App' },
    { id: '10001', key: 'OPS', name: 'Ops' },
  ],
  issues: [
    {
      id: '10001',
      key: 'APP-1',
      fields: {
        summary: 'First',
        description: 'Line one\nline two\n\nSecond paragraph',
        status: { id: '10000', name: 'To Do' },
        issuetype: { id: '1', name: 'Task' },
        project: { key: 'APP' },
        created: '2026-01-01T09:00:00.000+0000',
        updated: '2026-01-01T09:00:00.000+0000',
      },
      comments: [{ id: '500', author: 'lead', body: 'Welcome', created: '2026-01-01T10:00:00.000+0000' }],
    },
    {
      id: '10002',
      key: 'APP-2',
      fields: {
        summary: 'Second',
        status: { id: '3', name: 'In Progress' },
        project: { key: 'APP' },
        created: '2026-01-02T09:00:00.000+0000',
        updated: '2026-01-02T09:00:00.000+0000',
      },
    },
    {
      id: '20001',
      key: 'OPS-1',
      fields: {
        summary: 'Ops',
        status: { name: 'To Do' },
        project: { key: 'OPS' },
        created: '2026-01-03T09:00:00.000+0000',
        updated: '2026-01-03T09:00:00.000+0000',
      },
    },
  ],
  boards: [
    { id: 1, name: 'APP board', type: 'scrum', projectKey: 'APP' },
    { id: 2, name: 'OPS board', type: 'kanban', projectKey: 'OPS' },
  ],
  sprints: [
    { id: 7, boardId: 1, name: 'Sprint 7', state: 'active', issues: ['APP-1'] },
    { id: 8, boardId: 1, name: 'Sprint 8', state: 'future', issues: [] },
  ],
  answers: [
    { method: 'GET', path: '/rest/api/3/field', status: 200, body: [{ id: 'summary', name: 'Summary' }] },
  ],
};

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir, jira: fixture });
});
afterEach(() => rt.close());

async function call(method: string, p: string, body?: unknown, caller: JiraCaller = app) {
  const response = await rt.jira.fetch(
    p,
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    caller,
  );
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & unknown[],
  };
}

describe('transitions', () => {
  it('lists the transitions open to the issue: into every other status of the simplified workflow', async () => {
    const { status, body } = await call('GET', '/rest/api/3/issue/APP-1/transitions');
    expect(status).toBe(200);
    const transitions = body['transitions'] as Array<{ id: string; name: string; to: { name: string } }>;
    expect(transitions.map((t) => t.to.name)).toEqual(['In Progress', 'Done']);
    expect(transitions.every((t) => /^\d+$/.test(t.id))).toBe(true);
  });

  it('moves the issue, records the change, and sends avi:jira:updated:issue with that changelog', async () => {
    const { body } = await call('GET', '/rest/api/3/issue/APP-1/transitions', undefined, user('dev'));
    const done = (body['transitions'] as Array<{ id: string; to: { name: string } }>).find(
      (t) => t.to.name === 'Done',
    )!;
    const moved = await call(
      'POST',
      '/rest/api/3/issue/APP-1/transitions',
      { transition: { id: done.id } },
      user('dev'),
    );
    expect(moved.status).toBe(204);
    const issue = await call('GET', '/rest/api/3/issue/APP-1?expand=changelog');
    expect(issue.body).toMatchObject({
      fields: { status: { name: 'Done', statusCategory: { key: 'done' } } },
      changelog: {
        total: 1,
        histories: [
          {
            author: { accountId: 'dev' },
            items: [{ field: 'status', fromString: 'To Do', toString: 'Done' }],
          },
        ],
      },
    });
    // JQL sees the new status at once.
    const search = await call('POST', '/rest/api/3/search/jql', {
      jql: 'status = Done',
      fields: ['summary'],
    });
    expect((search.body['issues'] as Array<{ key: string }>).map((i) => i.key)).toEqual(['APP-1']);

    await rt.runUntilIdle();
    const delivered = rt.modules.triggerAttempts().filter((a) => a.eventType === 'avi:jira:updated:issue');
    // Two triggers subscribe; the user caused it, so ignoreSelf holds nothing back.
    expect(delivered.map((a) => a.triggerKey).sort()).toEqual(['issue-updated', 'issue-updated-all']);
    expect(delivered.every((a) => a.outcome.status === 'returned')).toBe(true);
  });

  it('holds the app’s own transition back from an ignoreSelf trigger', async () => {
    await call('POST', '/rest/api/3/issue/APP-2/transitions', { transition: { id: '31' } });
    await rt.runUntilIdle();
    const delivered = rt.modules.triggerAttempts().filter((a) => a.eventType === 'avi:jira:updated:issue');
    expect(delivered.map((a) => a.triggerKey)).toEqual(['issue-updated-all']);
  });

  it('refuses a transition that is not open, and shows none to a user without TRANSITION_ISSUES', async () => {
    expect(
      (await call('POST', '/rest/api/3/issue/APP-1/transitions', { transition: { id: '11' } })).status,
    ).toBe(400);
    expect((await call('POST', '/rest/api/3/issue/APP-1/transitions', {})).status).toBe(400);
    const none = await call('GET', '/rest/api/3/issue/APP-1/transitions', undefined, user('reader'));
    expect(none.body['transitions']).toEqual([]);
    const refused = await call(
      'POST',
      '/rest/api/3/issue/APP-1/transitions',
      { transition: { id: '21' } },
      user('reader'),
    );
    expect(refused.status).toBe(403);
    expect((await call('GET', '/rest/api/3/issue/OPS-1/transitions', undefined, user('dev'))).status).toBe(
      404,
    );
  });
});

describe('comments', () => {
  it('lists the fixture’s comments with ADF bodies, adds one and sends avi:jira:commented:issue', async () => {
    const listed = await call('GET', '/rest/api/3/issue/APP-1/comment');
    expect(listed.body).toMatchObject({
      total: 1,
      comments: [{ id: '500', author: { accountId: 'lead' }, body: adf('Welcome') }],
    });
    const added = await call(
      'POST',
      '/rest/api/3/issue/APP-1/comment',
      { body: adf('Looks good') },
      user('dev'),
    );
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      author: { accountId: 'dev', displayName: 'Dev Dan' },
      body: adf('Looks good'),
    });
    const id = added.body['id'] as string;
    expect((await call('GET', `/rest/api/3/issue/APP-1/comment/${id}`)).body['body']).toEqual(
      adf('Looks good'),
    );
    expect((await call('GET', '/rest/api/3/issue/APP-1/comment?orderBy=-created')).body).toMatchObject({
      total: 2,
      comments: [{ id }, { id: '500' }],
    });
    // The issue embeds its comments in its `comment` field, as Jira does.
    expect((await call('GET', '/rest/api/3/issue/APP-1?fields=comment')).body).toMatchObject({
      fields: { comment: { total: 2, comments: [{ id: '500', body: adf('Welcome') }, { id }] } },
    });
    await rt.runUntilIdle();
    // functions-app subscribes to no comment event: the event was sent, and reached no trigger.
    expect(rt.jira.pendingEvents()).toBe(0);
  });

  it('checks who may add, edit and delete', async () => {
    expect(
      (await call('POST', '/rest/api/3/issue/APP-1/comment', { body: adf('no') }, user('reader'))).status,
    ).toBe(403);
    const mine = await call('POST', '/rest/api/3/issue/APP-1/comment', { body: adf('mine') }, user('dev'));
    const id = mine.body['id'] as string;
    expect(
      (await call('PUT', `/rest/api/3/issue/APP-1/comment/${id}`, { body: adf('edited') }, user('dev'))).body,
    ).toMatchObject({
      body: adf('edited'),
    });
    // Dev may edit their own comment but not the lead's, nor delete anything.
    expect(
      (await call('PUT', '/rest/api/3/issue/APP-1/comment/500', { body: adf('x') }, user('dev'))).status,
    ).toBe(403);
    expect(
      (await call('DELETE', `/rest/api/3/issue/APP-1/comment/${id}`, undefined, user('dev'))).status,
    ).toBe(403);
    expect(
      (await call('DELETE', `/rest/api/3/issue/APP-1/comment/${id}`, undefined, user('lead'))).status,
    ).toBe(204);
    expect((await call('GET', `/rest/api/3/issue/APP-1/comment/${id}`)).status).toBe(404);
  });

  it('asks for ADF in v3 and says where a string goes', async () => {
    const refused = await call('POST', '/rest/api/3/issue/APP-1/comment', { body: 'plain' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('/rest/api/2/');
  });
});

describe('statuses', () => {
  it('lists every status, searches them, and lists a project’s per issue type', async () => {
    const all = await call('GET', '/rest/api/3/status');
    expect((all.body as unknown as Array<{ name: string }>).map((s) => s.name)).toEqual([
      'To Do',
      'In Progress',
      'Done',
    ]);
    const search = await call('GET', '/rest/api/3/statuses/search?statusCategory=DONE');
    expect(search.body).toMatchObject({
      total: 1,
      isLast: true,
      values: [{ name: 'Done', statusCategory: 'DONE' }],
    });
    const project = await call('GET', '/rest/api/3/project/APP/statuses');
    expect(project.body).toMatchObject([
      { name: 'Task', statuses: [{ name: 'To Do' }, { name: 'In Progress' }, { name: 'Done' }] },
    ]);
    expect((await call('GET', '/rest/api/3/project/OPS/statuses', undefined, user('dev'))).status).toBe(404);
  });
});

describe('agile', () => {
  it('lists boards the caller may see, a board’s sprints and the issues of a sprint and a board', async () => {
    const boards = await call('GET', '/rest/agile/1.0/board', undefined, user('dev'));
    expect(boards.body).toMatchObject({
      total: 1,
      isLast: true,
      values: [{ id: 1, name: 'APP board', location: { projectKey: 'APP' } }],
    });
    const sprints = await call('GET', '/rest/agile/1.0/board/1/sprint?state=active');
    expect(sprints.body).toMatchObject({ values: [{ id: 7, state: 'active', originBoardId: 1 }] });
    const sprintIssues = await call('GET', '/rest/agile/1.0/sprint/7/issue?fields=summary');
    expect(sprintIssues.body).toMatchObject({
      total: 1,
      issues: [{ key: 'APP-1', fields: { summary: 'First' } }],
    });
    const boardIssues = await call(
      'GET',
      '/rest/agile/1.0/board/1/issue?jql=status%20%3D%20%22In%20Progress%22',
    );
    expect((boardIssues.body['issues'] as Array<{ key: string }>).map((i) => i.key)).toEqual(['APP-2']);
    expect((await call('GET', '/rest/agile/1.0/board/2/sprint')).status).toBe(400);
    expect((await call('GET', '/rest/agile/1.0/board/2', undefined, user('dev'))).status).toBe(404);
  });
});

describe('POST /rest/api/3/permissions/check', () => {
  it('answers per permission the projects and issues (by id) the user holds it on, as mypermissions does', async () => {
    const { status, body } = await call(
      'POST',
      '/rest/api/3/permissions/check',
      {
        globalPermissions: ['ADMINISTER'],
        projectPermissions: [
          {
            permissions: ['ADD_COMMENTS', 'EDIT_ISSUES'],
            issues: [10001, '20001', 'APP-2'],
            projects: [10000, 10001],
          },
        ],
      },
      user('dev'),
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      globalPermissions: [],
      projectPermissions: [
        { permission: 'ADD_COMMENTS', issues: [10001], projects: [10000] },
        { permission: 'EDIT_ISSUES', issues: [], projects: [] },
      ],
    });
    const mine = await call(
      'GET',
      '/rest/api/3/mypermissions?issueKey=APP-1&permissions=ADD_COMMENTS,EDIT_ISSUES',
      undefined,
      user('dev'),
    );
    expect(mine.body).toMatchObject({
      permissions: { ADD_COMMENTS: { havePermission: true }, EDIT_ISSUES: { havePermission: false } },
    });
  });

  it('lets an administrator or the app check another user, no one else', async () => {
    const request = {
      accountId: 'reader',
      projectPermissions: [{ permissions: ['BROWSE_PROJECTS'], projects: [10000, 10001] }],
    };
    expect((await call('POST', '/rest/api/3/permissions/check', request, user('dev'))).status).toBe(403);
    expect((await call('POST', '/rest/api/3/permissions/check', request, user('lead'))).body).toEqual({
      globalPermissions: [],
      projectPermissions: [{ permission: 'BROWSE_PROJECTS', issues: [], projects: [10000] }],
    });
    expect(
      (
        await call('POST', '/rest/api/3/permissions/check', {
          projectPermissions: [{ permissions: ['FLY'] }],
        })
      ).status,
    ).toBe(400);
  });
});

describe('answers the user adds', () => {
  it('answers from the fixture, and 501 with how to add an answer for anything else', async () => {
    expect(await call('GET', '/rest/api/3/field')).toEqual({
      status: 200,
      body: [{ id: 'summary', name: 'Summary' }],
    });
    const missing = await call('GET', '/rest/api/3/issue/APP-1/properties/colour');
    expect(missing.status).toBe(501);
    const message = (missing.body['errorMessages'] as string[])[0]!;
    expect(message).toContain('GET /rest/api/3/issue/APP-1/properties/colour');
    expect(message).toContain('"answers"');
    expect(message).toContain('routes');
    expect(message).toContain('docs/local-runtime.md#add-a-jira-answer');
  });

  it('calls a handler with the path params, query, body and caller, before the emulated routes', async () => {
    await rt.close();
    const seen: unknown[] = [];
    const routes: JiraRoute[] = [
      {
        method: 'PUT',
        path: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
        handle: (request) => {
          seen.push(request);
          return { status: 201 };
        },
      },
      {
        path: '/rest/api/3/issue/{key}',
        handle: (request) => ({ body: { overridden: request.params['key'] } }),
      },
      {
        method: '*',
        path: '/rest/api/3/boom',
        handle: () => {
          throw new Error('not today');
        },
      },
    ];
    rt = await createRuntime({ appDir, jira: { fixture, routes } });
    const put = await call(
      'PUT',
      '/rest/api/3/issue/APP-1/properties/colour?x=1',
      { value: 'red' },
      user('dev'),
    );
    expect(put.status).toBe(201);
    expect(seen).toMatchObject([
      {
        method: 'PUT',
        path: '/rest/api/3/issue/APP-1/properties/colour',
        params: { issueIdOrKey: 'APP-1', propertyKey: 'colour' },
        body: { value: 'red' },
        caller: { kind: 'user', accountId: 'dev' },
      },
    ]);
    expect((seen[0] as { query: URLSearchParams }).query.get('x')).toBe('1');
    expect((await call('GET', '/rest/api/3/issue/APP-2')).body).toEqual({ overridden: 'APP-2' });
    // The fixture's answers still hold beside the handlers.
    expect((await call('GET', '/rest/api/3/field')).status).toBe(200);
    const boom = await call('POST', '/rest/api/3/boom');
    expect(boom.status).toBe(500);
    expect(JSON.stringify(boom.body)).toContain('not today');
  });

  it('refuses a malformed answer or handler with a clear error', async () => {
    await rt.close();
    await expect(
      createRuntime({ appDir, jira: { ...fixture, answers: [{ path: 'no-slash' }] } as JiraFixture }),
    ).rejects.toThrow(/answers\.0\.path/);
    await expect(
      createRuntime({ appDir, jira: { fixture, routes: [{ path: '/x' } as unknown as JiraRoute] } }),
    ).rejects.toThrow(/handle/);
    rt = await createRuntime({ appDir, jira: fixture });
  });
});

describe('the fixture', () => {
  it('refuses comments, sprints and transitions that name nothing it has, saying which', async () => {
    await rt.close();
    const [first, ...rest] = fixture.issues;
    const badComment = {
      ...first!,
      comments: [{ id: '1', author: 'dev', body: { text: 'hi' }, created: 'x' }],
    };
    await expect(
      createRuntime({ appDir, jira: { ...fixture, issues: [badComment, ...rest] } }),
    ).rejects.toThrow(/comment 1 of APP-1 has a body that is neither a string nor an ADF document/);
    await expect(
      createRuntime({
        appDir,
        jira: { ...fixture, sprints: [{ id: 9, boardId: 99, name: 'S', state: 'active' }] },
      }),
    ).rejects.toThrow(/sprint 9 names board 99/);
    await expect(
      createRuntime({
        appDir,
        jira: {
          ...fixture,
          sprints: [{ id: 9, boardId: 1, name: 'S', state: 'active', issues: ['NOPE-1'] }],
        },
      }),
    ).rejects.toThrow(/sprint 9 names issue NOPE-1/);
    await expect(
      createRuntime({
        appDir,
        jira: { ...fixture, transitions: [{ id: '5', name: 'Archive', to: 'Archived' }] },
      }),
    ).rejects.toThrow(/transition 5 goes to 'Archived'/);
    rt = await createRuntime({ appDir, jira: fixture });
  });
});
