// POST /rest/api/3/search/approximate-count: the number of issues a bounded JQL query matches,
// counting only what the caller may browse, with Jira's 400 for bad or unbounded queries.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import type { JiraCaller } from '../../local-runtime/jira/jira-emulator.js';
import { ALPHA_ONLY, NOBODY, testJira } from './jira-test-fixture.js';

const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');
const app: JiraCaller = { kind: 'app' };

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir, jira: testJira });
});
afterEach(() => rt.close());

async function count(body: unknown, caller: JiraCaller = app, method = 'POST') {
  const response = await rt.jira.fetch(
    '/rest/api/3/search/approximate-count',
    { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    caller,
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /rest/api/3/search/approximate-count', () => {
  it('counts the issues the query matches, as the enhanced search pages them', async () => {
    expect(await count({ jql: 'project in (ALPHA, BETA) ORDER BY key ASC' })).toEqual({
      status: 200,
      body: { count: 37 },
    });
    expect((await count({ jql: 'project = BETA AND status = Done' })).body).toEqual({
      count: testJira.issues.filter((i) => i.key.startsWith('BETA-') && i.fields.status.name === 'Done')
        .length,
    });
  });

  it('counts only issues the caller may browse', async () => {
    const jql = 'project = ALPHA OR status = Done';
    expect((await count({ jql }, { kind: 'user', accountId: ALPHA_ONLY })).body).toEqual({ count: 25 });
    expect((await count({ jql: 'status = Done' }, { kind: 'user', accountId: NOBODY })).body).toEqual({
      count: 0,
    });
  });

  it('refuses unbounded and malformed queries with 400, and GET with 405', async () => {
    const unbounded = await count({ jql: 'ORDER BY key ASC' });
    expect(unbounded.status).toBe(400);
    expect(unbounded.body['errorMessages']).toEqual([expect.stringContaining('Unbounded JQL')]);
    expect((await count({ jql: 'project = ' })).status).toBe(400);
    expect((await count({ jql: 42 })).status).toBe(400);
    const get = await rt.jira.fetch('/rest/api/3/search/approximate-count', undefined, app);
    expect(get.status).toBe(405);
  });
});
