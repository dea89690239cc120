// A Jira app written as the Forge docs' examples are, on the local Jira: authorize() (POST
// /rest/api/3/permissions/check), comments, transitions, project statuses and the agile API through
// api.asUser().requestJira; the events Jira sends back reach its trigger; an endpoint the runtime
// lacks is answered by the app's fixture, by a handler given to createRuntime, or with a 501 that
// says how to add one. Through createRuntime and through the HTTP server `npm start` serves.
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { startServer, type RunningServer } from '../../local-runtime/server/http-server.js';

const appDir = path.resolve(import.meta.dirname, '../fixtures/compat/jira-app');
const extension = {
  type: 'jira:issuePanel',
  issue: { id: '10001', key: 'TEAM-1' },
  project: { id: '10000', key: 'TEAM' },
};

let rt: LocalForgeRuntime | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await rt?.close();
  server = undefined;
  rt = undefined;
});

const call = (runtime: LocalForgeRuntime, functionKey: string, accountId: string, payload?: unknown) =>
  runtime.invokeResolver({ functionKey, accountId, extension, ...(payload ? { payload } : {}) });

describe('a Jira issue panel app on the local Jira', () => {
  it('checks permissions, lists and adds comments, moves the issue, and hears the events', async () => {
    rt = await createRuntime({ appDir, seed: 3 });
    expect(await call(rt, 'getActivity', 'ana')).toEqual({
      canComment: true,
      status: 'Open',
      comments: [{ author: 'Vic Viewer', text: 'Who writes these?' }],
      transitions: ['In Review'],
      statuses: ['Open', 'In Review', 'Closed'],
    });
    // Vic may read but not comment: authorize() says so, and the app does not try.
    expect(await call(rt, 'getActivity', 'vic')).toMatchObject({ canComment: false, transitions: [] });
    expect(await call(rt, 'addComment', 'vic', { text: 'me too' })).toEqual({
      ok: false,
      reason: 'forbidden',
    });

    expect(await call(rt, 'addComment', 'ana', { text: 'I do' })).toMatchObject({ ok: true });
    expect(await call(rt, 'moveTo', 'ana', { status: 'In Review' })).toEqual({ ok: true });
    expect(await call(rt, 'moveTo', 'ana', { status: 'Open' })).toEqual({ ok: true });
    expect(await call(rt, 'moveTo', 'ana', { status: 'Closed' })).toEqual({
      ok: false,
      reason: 'no transition to Closed',
    });
    expect(await call(rt, 'getActivity', 'ana')).toMatchObject({
      status: 'Open',
      comments: [
        { author: 'Vic Viewer', text: 'Who writes these?' },
        { author: 'Ana Agile', text: 'I do' },
      ],
      transitions: ['In Review'],
    });

    await rt.runUntilIdle();
    expect(rt.storage.get('events-TEAM-1')).toEqual([
      { eventType: 'avi:jira:commented:issue', atlassianId: 'ana', comment: expect.any(String), changes: [] },
      { eventType: 'avi:jira:updated:issue', atlassianId: 'ana', changes: ['status: Open -> In Review'] },
      { eventType: 'avi:jira:updated:issue', atlassianId: 'ana', changes: ['status: In Review -> Open'] },
    ]);
  });

  it('reads the active sprint of the project’s board', async () => {
    rt = await createRuntime({ appDir });
    expect(await call(rt, 'getSprint', 'vic')).toEqual({
      board: 'TEAM board',
      sprint: 'Sprint 42',
      issues: ['TEAM-1'],
    });
  });

  it('gets the fixture’s answer for an endpoint the runtime lacks, and a 501 naming how to add one', async () => {
    rt = await createRuntime({ appDir });
    expect(await call(rt, 'getFieldNames', 'ana')).toEqual(['Summary', 'Sprint']);
    const missing = (await call(rt, 'getColour', 'ana')) as {
      status: number;
      body: { errorMessages: string[] };
    };
    expect(missing.status).toBe(501);
    expect(missing.body.errorMessages[0]).toMatch(
      /does not emulate GET \/rest\/api\/3\/issue\/TEAM-1\/properties\/colour.*"answers".*routes.*docs\/local-runtime\.md#add-a-jira-answer/,
    );
  });

  it('gets a handler’s answer, with its path params, when createRuntime is given one', async () => {
    rt = await createRuntime({
      appDir,
      jira: {
        routes: [
          {
            path: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
            handle: ({ params, caller }) => ({
              body: { key: params['propertyKey'], value: { issue: params['issueIdOrKey'], by: caller.kind } },
            }),
          },
        ],
      },
    });
    expect(await call(rt, 'getColour', 'ana')).toEqual({
      status: 200,
      body: { key: 'colour', value: { issue: 'TEAM-1', by: 'app' } },
    });
    // The app's fixture is still the one read when only routes are given.
    expect(await call(rt, 'getFieldNames', 'ana')).toEqual(['Summary', 'Sprint']);
  });

  it('runs the same flow through the HTTP server', async () => {
    rt = await createRuntime({ appDir, clock: 'real' });
    server = await startServer(rt, { port: 0 });
    const invoke = async (key: string, accountId: string, payload?: unknown) => {
      const response = await fetch(`${server!.url}/api/invoke/issue-activity-panel/${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountId, extension, payload }),
      });
      return (await response.json()) as { value: unknown };
    };
    expect((await invoke('addComment', 'ana', { text: 'over HTTP' })).value).toMatchObject({ ok: true });
    expect((await invoke('moveTo', 'ana', { status: 'In Review' })).value).toEqual({ ok: true });
    expect((await invoke('getActivity', 'ana')).value).toMatchObject({
      status: 'In Review',
      comments: [{ text: 'Who writes these?' }, { author: 'Ana Agile', text: 'over HTTP' }],
    });
  });

  it('answers @forge/api 4.x, whose requests leave through node-fetch, at the same entry: v2, comments, 501', async () => {
    rt = await createRuntime({ appDir });
    // The 4.x package the forge-api-4 compatibility app declares, loaded as that app would.
    const require4 = createRequire(path.resolve(appDir, '../forge-api-4-app/src/index.js'));
    const api4 = require4('@forge/api') as typeof import('@forge/api');
    expect((require4('@forge/api/package.json') as { version: string }).version).toMatch(/^4\./);
    const { added, missing } = await rt.runAsApp(async () => {
      const added = await api4.asApp().requestJira(api4.route`/rest/api/2/issue/TEAM-2/comment`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ body: 'From 4.x' }),
      });
      const missing = await api4.asApp().requestJira(api4.route`/rest/api/3/dashboard`);
      return {
        added: { status: added.status, body: (await added.json()) as unknown },
        missing: missing.status,
      };
    });
    expect(added).toMatchObject({ status: 201, body: { body: 'From 4.x', author: { accountType: 'app' } } });
    expect(missing).toBe(501);
  });
});
