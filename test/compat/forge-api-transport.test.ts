// @forge/api 3.x and 4.x on the local runtime: their requests leave through node-fetch on
// https://{remote}{path} with Forge's product agent and an `authorization: Forge app|user|none`
// header, and reach the same local Jira and storage as today's transport, with the same auth.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { startServer } from '../../local-runtime/server/http-server.js';

const appDir = (major: number) =>
  path.resolve(import.meta.dirname, `../fixtures/compat/forge-api-${major}-app`);

let rt: LocalForgeRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

describe.each([3, 4])('@forge/api %i.x', (major) => {
  const start = async () => {
    rt = await createRuntime({ appDir: appDir(major), seed: 5 });
    return rt;
  };
  const call = (runtime: LocalForgeRuntime, functionKey: string, accountId: string) =>
    runtime.invokeResolver({ functionKey, accountId, payload: { issueKey: 'PROJ-1' } });

  it('is the major the app declares', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(path.join(appDir(major), 'src', 'index.js'));
    const pkg = require('@forge/api/package.json') as { version: string };
    expect(pkg.version.split('.')[0]).toBe(String(major));
  });

  it('reads an issue as the viewing user, who needs to be allowed to browse it', async () => {
    const runtime = await start();
    expect(await call(runtime, 'getIssueAsUser', 'alice')).toEqual({ status: 200, summary: 'First issue' });
    const refused = (await call(runtime, 'getIssueAsUser', 'bob')) as { status: number };
    expect(refused.status).toBe(404);
  });

  it('reads an issue as the app, whoever views it', async () => {
    const runtime = await start();
    expect(await call(runtime, 'getIssueAsApp', 'bob')).toEqual({ status: 200, summary: 'First issue' });
    expect(await call(runtime, 'getIssue', 'bob')).toEqual({ status: 200, summary: 'First issue' });
  });

  it("checks the viewer's permission with authorize(), which reads the invoking user", async () => {
    const runtime = await start();
    const canEdit = (accountId: string) =>
      runtime.invokeResolver({ functionKey: 'canEdit', accountId, payload: { issueId: '10001' } });
    expect(await canEdit('erin')).toBe(true);
    expect(await canEdit('alice')).toBe(false);
    await expect(
      runtime.invokeResolver({ functionKey: 'canEdit', payload: { issueId: '10001' } }),
    ).rejects.toThrow(/accountId of the invoking user/);
  });

  it('keeps counts in the legacy storage, on the same data as @forge/kvs', async () => {
    const runtime = await start();
    expect(await call(runtime, 'countView', 'alice')).toBe(1);
    expect(await call(runtime, 'countView', 'alice')).toBe(2);
    expect(await call(runtime, 'countView', 'bob')).toBe(1);
    expect(runtime.storage.get('views-PROJ-1-alice')).toBe(2);
    expect(await call(runtime, 'viewCounts', 'alice')).toEqual([
      { key: 'views-PROJ-1-alice', value: 2 },
      { key: 'views-PROJ-1-bob', value: 1 },
    ]);
  });

  it('creates its web trigger URL through the GraphQL gateway, and the trigger reads storage', async () => {
    const runtime = await start();
    const url = (await call(runtime, 'viewsHookUrl', 'alice')) as string;
    expect(url).toMatch(/^https?:\/\//);
    await call(runtime, 'countView', 'alice');
    const response = await runtime.callWebTrigger('views-hook', {
      queryParameters: { issueKey: ['PROJ-1'] },
    });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body))).toEqual([{ key: 'views-PROJ-1-alice', value: 1 }]);
  });

  it('serves the app over the local HTTP server, as `npm start` does', async () => {
    const runtime = await start();
    const server = await startServer(runtime, { port: 0 });
    try {
      const invoke = (functionKey: string, accountId: string) =>
        fetch(`${server.url}/api/invoke/issue-views-panel/${functionKey}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ accountId, payload: { issueKey: 'PROJ-1' } }),
        }).then((r) => r.json());
      expect(await invoke('getIssueAsUser', 'alice')).toEqual({
        value: { status: 200, summary: 'First issue' },
      });
      expect(await invoke('countView', 'alice')).toEqual({ value: 1 });
    } finally {
      await server.close();
    }
  });
});
