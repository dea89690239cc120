// POST /api/console/dead-letters/replay: replays through the app's own replayDeadLetters, refuses
// malformed and settled letters, cross-origin and non-JSON requests, and every bad body with a 4xx.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleSnapshot } from '../../console/console-types.js';
import type { RunningApp } from '../browser/browser-harness.js';
import { call, deadLetter, malformedEvent, postJson, startConsoleApp } from './console-fixture.js';
import { type IssueRecord, type IssueReceipt } from '../../src/shared/issue-data/issue-writer.js';

const REPLAY = '/api/console/dead-letters/replay';
let app: RunningApp;
let letterId: string;

beforeEach(async () => {
  app = await startConsoleApp();
  letterId = (
    await deadLetter(app, '10001', { type: 'activity.record', payload: { kind: 'updated', at: 1 } })
  ).commandId;
});
afterEach(() => app?.close());

const receipt = (id: string) => app.rt.storage.getEntity('command-receipt', id) as IssueReceipt | undefined;
const snapshot = async () => (await call(app, '/api/console/snapshot')).body as ConsoleSnapshot;

describe('replaying dead letters from the console', () => {
  it('replays one letter: it is marked replayed and the command is applied', async () => {
    expect(receipt(letterId)?.status).toBe('dead-lettered');
    const response = await postJson(app, REPLAY, { ids: [letterId] });
    expect(response).toEqual({
      status: 200,
      body: { replayed: [letterId], events: 1, pushes: 1, remaining: 0 },
    });
    await app.rt.runUntilIdle();
    expect(receipt(letterId)).toMatchObject({ status: 'applied', version: 1 });
    const after = await snapshot();
    expect(after.deadLetters.counts).toMatchObject({ open: 0, replayed: 1 });
    expect(after.issues.issues[0]?.receipts[0]).toMatchObject({ commandId: letterId, status: 'applied' });

    // A second replay of the same letter is refused: it is no longer open.
    const again = await postJson(app, REPLAY, { ids: [letterId] });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { message: expect.stringContaining('is replayed') } });
  });

  it('replays a double-clicked letter once', async () => {
    const responses = await Promise.all([
      postJson(app, REPLAY, { ids: [letterId] }),
      postJson(app, REPLAY, { ids: [letterId] }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    await app.rt.runUntilIdle();
    expect(app.rt.metered()['events.pushed']).toBe(2); // the original push and one replay
    const issue = app.rt.storage.getEntity('issue-state', '10001') as IssueRecord | undefined;
    expect(issue?.state.activity.counts.updated).toBe(1);
  });

  it('replays every open letter with all: true, and none when none is open', async () => {
    const second = await deadLetter(app, '10002', {
      type: 'activity.record',
      payload: { kind: 'created', at: 2 },
    });
    const response = await postJson(app, REPLAY, { all: true });
    expect(response.status).toBe(200);
    expect((response.body as { replayed: string[] }).replayed.sort()).toEqual(
      [letterId, second.commandId].sort(),
    );
    await app.rt.runUntilIdle();
    expect(receipt(second.commandId)?.status).toBe('applied');
    expect(await postJson(app, REPLAY, { all: true })).toEqual({
      status: 200,
      body: { replayed: [], events: 0, pushes: 0, remaining: 0 },
    });
  });

  it('refuses a malformed letter with 409 and an unknown one with 404, replaying nothing', async () => {
    await malformedEvent(app);
    const malformed = (await snapshot()).deadLetters.malformed[0]!.deadLetterId;
    const before = app.rt.metered()['events.pushed'];
    const refused = await postJson(app, REPLAY, { ids: [letterId, malformed] });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { message: expect.stringContaining('is malformed') } });
    const unknown = await postJson(app, REPLAY, { ids: [letterId, 'no-such-letter'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { message: expect.stringContaining('no-such-letter') } });
    expect(app.rt.metered()['events.pushed']).toBe(before);
    expect((await snapshot()).deadLetters.counts.open).toBe(1);
  });

  it('answers 503 when storage fails during the replay, and the letter can be replayed later', async () => {
    app.rt.setFaults({ kvs: { serverError: 1 } });
    const failed = await postJson(app, REPLAY, { ids: [letterId] });
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ error: { message: expect.stringContaining('try again') } });
    app.rt.setFaults({});
    expect((await postJson(app, REPLAY, { ids: [letterId] })).status).toBe(200);
    await app.rt.runUntilIdle();
    expect(receipt(letterId)?.status).toBe('applied');
  });

  it.each([
    ['not JSON', '{ids:', 400, 'not valid JSON'],
    ['an array', '["x"]', 400, 'JSON object'],
    ['no ids', {}, 400, "'ids'"],
    ['empty ids', { ids: [] }, 400, "'ids'"],
    ['ids not an array', { ids: 'abc' }, 400, "'ids'"],
    ['a number id', { ids: [1] }, 400, 'string'],
    ['an empty id', { ids: [''] }, 400, 'string'],
    ['a very long id', { ids: ['x'.repeat(201)] }, 400, 'string'],
    ['too many ids', { ids: Array.from({ length: 101 }, (_, i) => `id-${i}`) }, 400, 'at most 100'],
    ['all false', { all: false }, 400, "'all' must be true"],
    ['ids and all', { ids: ['a'], all: true }, 400, 'not both'],
    ['an unknown field', { ids: ['a'], force: true }, 400, 'force'],
  ])('refuses %s with a 4xx', async (_name, body, status, message) => {
    const response = await postJson(app, REPLAY, body);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: { status, message: expect.stringContaining(message) } });
  });

  it('refuses GET, non-JSON bodies and other origins', async () => {
    expect((await call(app, REPLAY)).status).toBe(405);
    const text = await call(app, REPLAY, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ ids: [letterId] }),
    });
    expect(text.status).toBe(415);
    const foreign = await postJson(app, REPLAY, { ids: [letterId] }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const garbage = await postJson(app, REPLAY, { ids: [letterId] }, { origin: 'not a url' });
    expect(garbage.status).toBe(403);
    const same = await postJson(app, REPLAY, { ids: [letterId] }, { origin: app.url });
    expect(same.status).toBe(200);
  });
});
