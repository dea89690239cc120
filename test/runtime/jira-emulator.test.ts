// The local Jira's REST paths, called as `requestJira` would: issue reads, changelog paging,
// enhanced and legacy search paging, permissions, and who sees what.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import type { JiraCaller } from '../../local-runtime/jira/jira-emulator.js';
import { ADMIN, ALPHA_ONLY, NOBODY, VIEWER, testJira } from './jira-test-fixture.js';

const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');
const app: JiraCaller = { kind: 'app' };
const user = (accountId: string): JiraCaller => ({ kind: 'user', accountId });

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir, jira: testJira });
});
afterEach(() => rt.close());

async function get(
  p: string,
  caller: JiraCaller = app,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await rt.jira.fetch(p, undefined, caller);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function post(p: string, body: unknown, caller: JiraCaller = app) {
  const response = await rt.jira.fetch(
    p,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    caller,
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('GET /rest/api/3/issue/{idOrKey}', () => {
  it('returns the issue by key or id, with every field by default', async () => {
    const byKey = await get('/rest/api/3/issue/ALPHA-2');
    expect(byKey.status).toBe(200);
    expect(byKey.body).toMatchObject({ id: '10101', key: 'ALPHA-2', fields: { summary: 'ALPHA issue 2' } });
    expect(Object.keys(byKey.body['fields'] as object)).toEqual(
      expect.arrayContaining(['summary', 'status', 'project', 'created', 'updated']),
    );
    const byId = await get('/rest/api/3/issue/10101');
    expect(byId.body['key']).toBe('ALPHA-2');
  });

  it('returns only the fields asked for', async () => {
    const { body } = await get('/rest/api/3/issue/ALPHA-2?fields=summary,status');
    expect(Object.keys(body['fields'] as object).sort()).toEqual(['status', 'summary']);
    const excluded = await get('/rest/api/3/issue/ALPHA-2?fields=*all,-summary');
    expect(excluded.body['fields']).not.toHaveProperty('summary');
    expect(excluded.body['fields']).toHaveProperty('status');
  });

  it('embeds the changelog, most recent first, with expand=changelog', async () => {
    const { body } = await get('/rest/api/3/issue/ALPHA-1?expand=changelog');
    const changelog = body['changelog'] as { total: number; histories: Array<{ created: string }> };
    expect(changelog.total).toBe(7);
    const created = changelog.histories.map((h) => h.created);
    expect(created).toEqual([...created].sort().reverse());
  });

  it('answers 404 to a user who may not browse the project, as if the issue did not exist', async () => {
    expect((await get('/rest/api/3/issue/BETA-1', user(ALPHA_ONLY))).status).toBe(404);
    expect((await get('/rest/api/3/issue/ALPHA-1', user(ALPHA_ONLY))).status).toBe(200);
    const denied = await get('/rest/api/3/issue/ALPHA-1', user(NOBODY));
    expect(denied.status).toBe(404);
    expect(denied.body['errorMessages']).toEqual([
      'Issue does not exist or you do not have permission to see it.',
    ]);
    expect((await get('/rest/api/3/issue/ALPHA-999')).status).toBe(404);
  });

  it('answers 401 for an account the fixture does not know', async () => {
    const { status, body } = await get('/rest/api/3/issue/ALPHA-1', user('stranger'));
    expect(status).toBe(401);
    expect(String((body['errorMessages'] as string[])[0])).toContain('stranger');
  });
});

describe('GET /rest/api/3/issue/{idOrKey}/changelog', () => {
  it('pages through every history exactly once, oldest first', async () => {
    const seen: string[] = [];
    let startAt = 0;
    let pages = 0;
    for (;;) {
      const { body } = await get(`/rest/api/3/issue/ALPHA-1/changelog?startAt=${startAt}&maxResults=3`);
      const values = body['values'] as Array<{ id: string; created: string }>;
      expect(body['total']).toBe(7);
      seen.push(...values.map((v) => v.id));
      pages++;
      if (body['isLast']) break;
      expect(body['nextPage']).toContain(`startAt=${startAt + 3}`);
      startAt += values.length;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(testJira.issues[0]!.changelog!.map((h) => h.id));
  });

  it('is hidden like the issue from users without access', async () => {
    expect((await get('/rest/api/3/issue/ALPHA-1/changelog', user(NOBODY))).status).toBe(404);
  });
});

describe('POST|GET /rest/api/3/search/jql', () => {
  async function allPages(jql: string, pageSize: number, caller: JiraCaller, method: 'GET' | 'POST') {
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page =
        method === 'POST'
          ? await post(
              '/rest/api/3/search/jql',
              { jql, fields: ['summary'], maxResults: pageSize, nextPageToken: token },
              caller,
            )
          : await get(
              `/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&fields=summary&maxResults=${pageSize}${
                token ? `&nextPageToken=${encodeURIComponent(token)}` : ''
              }`,
              caller,
            );
      expect(page.status).toBe(200);
      const issues = page.body['issues'] as Array<{ key: string }>;
      keys.push(...issues.map((i) => i.key));
      token = page.body['nextPageToken'] as string | undefined;
      expect(page.body['isLast']).toBe(token === undefined);
      pages++;
    } while (token);
    return { keys, pages };
  }

  it.each(['GET', 'POST'] as const)(
    'returns every matching issue exactly once across pages (%s)',
    async (method) => {
      const { keys, pages } = await allPages('project in (ALPHA, BETA) ORDER BY key ASC', 7, app, method);
      expect(pages).toBe(Math.ceil(37 / 7));
      expect(new Set(keys).size).toBe(37);
      expect(keys.slice(0, 3)).toEqual(['ALPHA-1', 'ALPHA-2', 'ALPHA-3']);
      expect(keys.at(-1)).toBe('BETA-12');
    },
  );

  it('leaves out issues the user may not browse', async () => {
    const { keys } = await allPages('project = ALPHA OR status = Done', 10, user(ALPHA_ONLY), 'POST');
    expect(keys.length).toBe(25);
    expect(keys.every((k) => k.startsWith('ALPHA-'))).toBe(true);
    const viewer = await allPages('status = Done', 100, user(VIEWER), 'POST');
    const done = testJira.issues.filter((i) => i.fields.status.name === 'Done').map((i) => i.key);
    expect(viewer.keys.sort()).toEqual(done.sort());
  });

  it('returns only issue ids unless fields are asked for', async () => {
    const { body } = await get(`/rest/api/3/search/jql?jql=${encodeURIComponent('key = ALPHA-3')}`);
    expect(body['issues']).toEqual([{ id: '10102' }]);
  });

  it('caps a page with fields at 100 issues; the token fetches the rest', async () => {
    const page = await post('/rest/api/3/search/jql', {
      jql: 'project = ALPHA',
      fields: ['*all'],
      maxResults: 5000,
    });
    expect((page.body['issues'] as unknown[]).length).toBe(25);
    expect(page.body['isLast']).toBe(true);
  });

  it('refuses a token from a different query', async () => {
    const first = await post('/rest/api/3/search/jql', { jql: 'project = ALPHA', maxResults: 5 });
    const token = first.body['nextPageToken'];
    const other = await post('/rest/api/3/search/jql', { jql: 'project = BETA', nextPageToken: token });
    expect(other.status).toBe(400);
  });

  it('refuses unbounded queries, as Jira does', async () => {
    const { status, body } = await post('/rest/api/3/search/jql', { jql: 'ORDER BY key' });
    expect(status).toBe(400);
    expect(String((body['errorMessages'] as string[])[0])).toMatch(/Unbounded JQL/);
  });
});

describe('GET /rest/api/3/search (older, startAt/total)', () => {
  it('pages with startAt and reports the total', async () => {
    const first = await get(
      `/rest/api/3/search?jql=${encodeURIComponent('project = BETA ORDER BY key DESC')}&maxResults=5`,
    );
    expect(first.body).toMatchObject({ startAt: 0, maxResults: 5, total: 12 });
    expect((first.body['issues'] as Array<{ key: string }>).map((i) => i.key)).toEqual([
      'BETA-12',
      'BETA-11',
      'BETA-10',
      'BETA-9',
      'BETA-8',
    ]);
    const last = await get(
      `/rest/api/3/search?jql=${encodeURIComponent('project = BETA')}&startAt=10&maxResults=5`,
    );
    expect((last.body['issues'] as unknown[]).length).toBe(2);
  });
});

describe('GET /rest/api/3/mypermissions and /myself', () => {
  const perms = async (query: string, caller: JiraCaller) => {
    const { status, body } = await get(`/rest/api/3/mypermissions?${query}`, caller);
    const p = body['permissions'] as Record<string, { havePermission: boolean }> | undefined;
    return {
      status,
      browse: p?.['BROWSE_PROJECTS']?.havePermission,
      edit: p?.['EDIT_ISSUES']?.havePermission,
      body,
    };
  };

  it("answers for the calling user, per the issue's project", async () => {
    expect(
      await perms('issueKey=ALPHA-2&permissions=BROWSE_PROJECTS,EDIT_ISSUES', user(VIEWER)),
    ).toMatchObject({
      status: 200,
      browse: true,
      edit: false,
    });
    expect(
      await perms('issueId=10101&permissions=BROWSE_PROJECTS,EDIT_ISSUES', user(ALPHA_ONLY)),
    ).toMatchObject({
      browse: true,
      edit: true,
    });
    expect((await perms('issueKey=BETA-1&permissions=BROWSE_PROJECTS', user(ALPHA_ONLY))).status).toBe(404);
  });

  it('gives the app every permission', async () => {
    expect(await perms('issueKey=BETA-1&permissions=BROWSE_PROJECTS,EDIT_ISSUES', app)).toMatchObject({
      browse: true,
      edit: true,
    });
  });

  it('without an issue, says whether the user holds the permission anywhere', async () => {
    expect(await perms('permissions=EDIT_ISSUES', user(VIEWER))).toMatchObject({ edit: false });
    expect(await perms('permissions=EDIT_ISSUES', user(ADMIN))).toMatchObject({ edit: true });
  });

  it('needs known permission keys', async () => {
    expect((await perms('issueKey=ALPHA-1', user(ADMIN))).status).toBe(400);
    expect((await perms('issueKey=ALPHA-1&permissions=FLY', user(ADMIN))).status).toBe(400);
  });

  it('/myself names the caller', async () => {
    expect((await get('/rest/api/3/myself', user(VIEWER))).body).toMatchObject({
      accountId: VIEWER,
      displayName: 'Victor Viewer',
      accountType: 'atlassian',
    });
    expect((await get('/rest/api/3/myself')).body).toMatchObject({
      accountId: 'app-account-id',
      accountType: 'app',
    });
  });
});

describe('the local Jira as a service', () => {
  it('answers 501 / 405 for paths and methods it does not serve', async () => {
    const missing = await get('/rest/api/3/project/ALPHA');
    expect(missing.status).toBe(501);
    expect(missing.body).toMatchObject({ method: 'GET', path: '/rest/api/3/project/ALPHA' });
    const put = await rt.jira.fetch('/rest/api/3/issue/ALPHA-1', { method: 'PUT', body: '{}' }, app);
    expect(put.status).toBe(405);
  });

  it('meters every request as jira.requests and takes latency.jira of virtual time', async () => {
    await rt.close();
    rt = await createRuntime({ appDir, jira: testJira, latency: { jira: 250 } });
    const before = rt.clock.now();
    await get('/rest/api/3/issue/ALPHA-1');
    await get('/rest/api/3/myself');
    expect(rt.metered()['jira.requests']).toBe(2);
    expect(rt.clock.now() - before).toBe(500);
  });

  it('is empty when the fixture file is missing', async () => {
    await rt.close();
    rt = await createRuntime({ appDir, jira: path.join(appDir, 'no-such-jira.json') });
    expect((await get('/rest/api/3/issue/ALPHA-1')).status).toBe(404);
    expect((await post('/rest/api/3/search/jql', { jql: 'status = Done' })).body).toMatchObject({
      issues: [],
      isLast: true,
    });
  });
});
