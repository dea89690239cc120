// @forge/events 1.x on the local runtime: its pushes carry raw payloads under schema
// forge/app-event, and each reaches the queue's consumer as an event with that payload as body,
// as a 2.x/3.x push's events do.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';

const APP_DIR = path.resolve(import.meta.dirname, '../fixtures/compat/events-1-app');

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir: APP_DIR, seed: 11 });
});
afterEach(async () => {
  await rt.close();
});

const received = () =>
  rt.storage
    .list('row-')
    .map((item) => item.value as { body: unknown; jobId: string; queueName: string })
    .sort((a, b) => JSON.stringify(a.body).localeCompare(JSON.stringify(b.body)));

describe('@forge/events 1.x', () => {
  it('delivers each pushed payload to the consumer as the body of its own event', async () => {
    const rows = [{ row: 1, name: 'a' }, { row: 2, name: 'b' }, 'plain text', 42];
    const answer = (await rt.invokeResolver({ functionKey: 'startImport', payload: { rows } })) as string;
    const [queueName, jobId] = answer.split('#');
    expect(queueName).toBe('import-queue');
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    await rt.runUntilIdle();
    expect(received()).toEqual(
      [42, 'plain text', { row: 1, name: 'a' }, { row: 2, name: 'b' }]
        .map((body) => ({ body, jobId, queueName: 'import-queue' }))
        .sort((a, b) => JSON.stringify(a.body).localeCompare(JSON.stringify(b.body))),
    );
  });

  it('holds every event of a push back by its delayInSeconds', async () => {
    await rt.invokeResolver({
      functionKey: 'startImport',
      payload: { rows: [{ row: 1 }, { row: 2 }], delayInSeconds: 60 },
    });
    await rt.advance(59_000);
    expect(received()).toEqual([]);
    await rt.advance(2_000);
    await rt.runUntilIdle();
    expect(received().map((r) => r.body)).toEqual([{ row: 1 }, { row: 2 }]);
  });

  it("reports a job's progress and cancels it, by the id push answered", async () => {
    const id = await rt.invokeResolver({
      functionKey: 'startImport',
      payload: { rows: [{ row: 1 }, { row: 2 }] },
    });
    expect(await rt.invokeResolver({ functionKey: 'importProgress', payload: { jobId: id } })).toEqual({
      success: 0,
      inProgress: 2,
      failed: 0,
    });
    await rt.runUntilIdle();
    expect(await rt.invokeResolver({ functionKey: 'importProgress', payload: { jobId: id } })).toEqual({
      success: 2,
      inProgress: 0,
      failed: 0,
    });
    const later = await rt.invokeResolver({
      functionKey: 'startImport',
      payload: { rows: [{ row: 3 }], delayInSeconds: 60 },
    });
    expect(await rt.invokeResolver({ functionKey: 'cancelImport', payload: { jobId: later } })).toBe(
      'cancelled',
    );
    await rt.advance(61_000);
    await rt.runUntilIdle();
    expect(received().map((r) => r.body)).toEqual([{ row: 1 }, { row: 2 }]);
  });

  it('still refuses a 2.x event whose body is not an object', async () => {
    const response = await globalThis.__forge_fetch__!(
      { type: 'fpp', provider: 'app', remote: 'stargate' },
      '/webhook/queue/publish/ari/local/app/1',
      {
        method: 'POST',
        body: JSON.stringify({
          queueName: 'import-queue',
          jobId: 'job-1',
          schema: 'ari:cloud:ecosystem::forge/app-event-2',
          payload: [{ body: 'plain text' }],
        }),
      },
    );
    expect(response.status).toBe(400);
  });
});
