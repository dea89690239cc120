// The console's read endpoints over HTTP: what they show of real writer data, that reading them
// costs nothing Forge meters, and clear 4xx JSON answers to bad requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleSnapshot, IssueRow, UsageView } from '../../console/console-types.js';
import type { RunningApp } from '../browser/browser-harness.js';
import { apply, call, deadLetter, malformedEvent, startConsoleApp } from './console-fixture.js';

let app: RunningApp;
let addId: string;
let checkId: string;

beforeAll(async () => {
  app = await startConsoleApp();
  addId = (await apply(app, '10001', { type: 'checklist.add', payload: { itemId: 'a', text: 'Alpha' } }))
    .commandId;
  await apply(app, '10001', { type: 'activity.record', payload: { kind: 'commented', at: 5 } });
  checkId = (
    await deadLetter(app, '10002', { type: 'checklist.add', payload: { itemId: 'b', text: 'Beta' } })
  ).commandId;
  await malformedEvent(app);
});
afterAll(() => app?.close());

describe('GET /api/console/snapshot', () => {
  it('shows issues with version, state summary and receipts, dead letters and usage', async () => {
    const { status, body } = await call(app, '/api/console/snapshot');
    expect(status).toBe(200);
    const snapshot = body as ConsoleSnapshot;
    expect(snapshot.clock).toBe('virtual');
    expect(snapshot.queues.counts).toEqual({ pending: 0, heldBack: 0, retrying: 0, inFlight: 0, dropped: 0 });

    const first = snapshot.issues.issues.find((i) => i.issueId === '10001');
    expect(first).toMatchObject({
      version: 2,
      queuedCommands: 0,
      summary: {
        checklist: { total: 1, done: 0, items: [{ itemId: 'a', text: 'Alpha', checked: false }] },
        activity: { commented: 1, created: 0, updated: 0 },
      },
    });
    expect(first?.receipts.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(first?.receipts.map((r) => r.version)).toEqual([2, 1]);
    expect(first?.receipts[1]?.commandId).toBe(addId);

    // Known only from its dead-lettered receipt: listed, with no state yet.
    const second = snapshot.issues.issues.find((i) => i.issueId === '10002');
    expect(second).toMatchObject({ version: 0, receipts: [{ commandId: checkId, status: 'dead-lettered' }] });
    expect(second?.summary).toBeUndefined();

    expect(snapshot.deadLetters.counts).toEqual({ open: 1, malformed: 1, replayed: 0, discarded: 0 });
    expect(snapshot.deadLetters.open[0]).toMatchObject({
      deadLetterId: checkId,
      issueId: '10002',
      commandType: 'checklist.add',
      source: 'ui',
      reason: expect.stringContaining('storage error'),
    });
    expect(snapshot.deadLetters.open[0]?.attempts).toBeGreaterThan(0);
    expect(snapshot.deadLetters.malformed[0]).toMatchObject({
      issueId: '',
      reason: expect.stringContaining('invalid command'),
      raw: expect.stringContaining('not'),
    });
    expect(snapshot.deadLetters.malformed[0]?.commandType).toBeUndefined();
    expect(typeof snapshot.reports.available).toBe('boolean');
  });

  it('reports the metered counters and reading the console meters nothing', async () => {
    const before = app.rt.metered();
    const { body } = await call(app, '/api/console/usage');
    for (let i = 0; i < 3; i++) await call(app, '/api/console/snapshot');
    expect(app.rt.metered()).toEqual(before);
    const counters = new Map(
      (body as UsageView).groups.flatMap((g) => g.counters.map((c) => [c.name, c.value])),
    );
    expect(counters.get('kvs.transaction')).toBe(before['kvs.transaction']);
    expect(counters.get('events.retried')).toBe(before['events.retried']);
    expect(counters.get('events.retried')).toBeGreaterThan(0);
    expect(counters.get('kvs.writeUnits')).toBe(before['kvs.writeUnits']);
    expect(counters.get('events.dropped')).toBe(0);
  });
});

describe('GET /api/console/issues', () => {
  it('lists the most recently changed first and honours limit', async () => {
    const { status, body } = await call(app, '/api/console/issues?limit=1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 2, issues: [{ issueId: '10002' }] });
  });

  it('answers one issue, with its Jira key when the local Jira knows it', async () => {
    const { status, body } = await call(app, '/api/console/issues/10001');
    expect(status).toBe(200);
    expect(body as IssueRow).toMatchObject({ issueId: '10001', issueKey: 'APP-1', version: 2 });
    expect((body as IssueRow).title).toEqual(expect.any(String));
  });

  it.each([
    ['/api/console/issues?limit=abc', 400, 'limit'],
    ['/api/console/issues?limit=0', 400, 'limit'],
    ['/api/console/issues?limit=501', 400, 'limit'],
    ['/api/console/issues?limit=1.5', 400, 'limit'],
    ['/api/console/snapshot?limit=-1', 400, 'limit'],
    ['/api/console/issues/APP-1', 400, 'issue id'],
    ['/api/console/issues/%E0%A4%A', 400, 'encoded'],
    ['/api/console/issues/99999', 404, 'Nothing is stored'],
    ['/api/console/nope', 404, 'No console endpoint'],
    ['/api/console', 404, 'No console endpoint'],
  ])('GET %s answers %i', async (path, status, message) => {
    const response = await call(app, path);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: { status, message: expect.stringContaining(message) } });
  });

  it.each(['/api/console/snapshot', '/api/console/issues', '/api/console/issues/10001'])(
    'refuses POST %s with 405',
    async (path) => {
      const response = await call(app, path, { method: 'POST', body: '{}' });
      expect(response.status).toBe(405);
      expect(response.body).toMatchObject({ error: { message: expect.stringContaining('GET') } });
    },
  );

  it('keeps serving after bad requests', async () => {
    expect((await call(app, '/api/health')).status).toBe(200);
    expect((await call(app, '/api/console/queues')).status).toBe(200);
    expect((await call(app, '/api/console/dead-letters')).status).toBe(200);
    expect((await call(app, '/api/console/reports')).status).toBe(200);
  });
});
