// A queue consumer declared the resolver way (`consumer: [{ queue, resolver: { function, method } }]`),
// which Forge still accepts and documents: it is called like a resolver, `{ call: { functionKey:
// method, payload, jobId }, context }`, so `resolver.define(method, ({ payload, context }) => ...)`
// gets the event's body as payload, the job as context.jobId and the one site's installContext.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { startServer, type RunningServer } from '../../local-runtime/server/http-server.js';

const APP_DIR = path.resolve(import.meta.dirname, '../fixtures/compat/resolver-consumer-app');
const MODULE = 'migration-admin';

let rt: LocalForgeRuntime | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await rt?.close();
  server = undefined;
  rt = undefined;
});

const invoke = (runtime: LocalForgeRuntime, functionKey: string, payload: unknown) =>
  runtime.invokeResolver({ moduleKey: MODULE, functionKey, payload });

describe('a resolver-style consumer', () => {
  it('receives each event body as payload, with the job and the same site as the admin page', async () => {
    rt = await createRuntime({ appDir: APP_DIR, site: { cloudId: 'f00dcafe-0000-4000-8000-000000000001' } });
    const { jobId } = (await invoke(rt, 'startMigration', { dataTypes: ['users', 'things'] })) as {
      jobId: string;
    };
    await rt.runUntilIdle();
    const installContext = 'ari:cloud:jira::site/f00dcafe-0000-4000-8000-000000000001';
    expect(await invoke(rt, 'getMigration', { dataTypes: ['users', 'things'] })).toEqual({
      users: { jobId, installContext, retryCount: 0 },
      things: { jobId, installContext, retryCount: 0 },
    });
    // One site for every module: the page's resolver names the installation the consumer does.
    expect(await invoke(rt, 'whereAmI', {})).toEqual({ installContext });
    expect(rt.metered()['events.succeeded']).toBe(2);
  });

  it('retries on a returned InvocationError, with the retry context in the payload', async () => {
    rt = await createRuntime({ appDir: APP_DIR });
    await invoke(rt, 'startMigration', { dataTypes: ['busy-source'] });
    await rt.runUntilIdle();
    expect(await invoke(rt, 'getMigration', { dataTypes: ['busy-source'] })).toEqual({
      'busy-source': expect.objectContaining({ retryCount: 1 }),
    });
    expect(rt.metered()['events.retried']).toBe(1);
  });

  it('runs its main flow over HTTP, as the admin page would', async () => {
    rt = await createRuntime({ appDir: APP_DIR, clock: 'real' });
    server = await startServer(rt, { port: 0 });
    const post = async (functionKey: string, payload: unknown) => {
      const response = await fetch(`${server!.url}/api/invoke/${MODULE}/${functionKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payload, accountId: 'admin' }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { value: unknown }).value;
    };
    const { jobId } = (await post('startMigration', { dataTypes: ['users'] })) as { jobId: string };
    await rt.runUntilIdle();
    const queues = (await (await fetch(`${server.url}/api/queues`)).json()) as { pending: number };
    expect(queues.pending).toBe(0);
    expect(await post('getMigration', { dataTypes: ['users'] })).toEqual({
      users: { jobId, installContext: rt.site.installContext, retryCount: 0 },
    });
  });
});
