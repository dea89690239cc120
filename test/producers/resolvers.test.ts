// The issue panel's resolvers through the local runtime: the real @forge/resolver, @forge/api
// (asUser permission checks against the local Jira), @forge/kvs and @forge/events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import {
  APP_1,
  APP_2,
  OPS_1,
  callResolver,
  newRuntime,
  pushes,
  valueOf,
  type Account,
} from './resolver-test-kit.js';

const add = (itemId: string, text = `Item ${itemId}`, extra: Record<string, unknown> = {}) => ({
  type: 'checklist.add',
  payload: { itemId, text },
  ...extra,
});

describe('issue panel resolvers', () => {
  let rt: LocalForgeRuntime;
  beforeEach(async () => {
    rt = await newRuntime();
  });
  afterEach(() => rt.close());

  async function submitAndSettle(payload: unknown, issue = APP_1): Promise<string> {
    const { commandId } = valueOf(await callResolver(rt, 'submitCommand', payload, { issue }));
    await rt.runUntilIdle();
    return commandId;
  }

  describe('getIssueState', () => {
    it('shows an untouched issue at version 0 with what the user may do', async () => {
      const admin = valueOf(await callResolver(rt, 'getIssueState', {}));
      expect(admin).toMatchObject({
        issue: { id: '10001', key: 'APP-1' },
        version: 0,
        checklist: [],
        activity: { counts: { created: 0, updated: 0, commented: 0 }, external: [] },
        reports: [],
        viewer: { canEdit: true, canAdminister: true },
      });
      const viewer = valueOf(await callResolver(rt, 'getIssueState', {}, { accountId: 'user-viewer' }));
      expect(viewer.viewer).toEqual({ canEdit: false, canAdminister: false });
      const dev = valueOf(await callResolver(rt, 'getIssueState', {}, { accountId: 'user-app-dev' }));
      expect(dev.viewer).toEqual({ canEdit: true, canAdminister: false });
    });

    it('shows the checklist in rank order with ranks, after commands apply', async () => {
      await submitAndSettle(add('b', 'Second', { payload: { itemId: 'b', text: 'Second', rank: 2 } }));
      await submitAndSettle({ type: 'checklist.add', payload: { itemId: 'a', text: 'First', rank: 1 } });
      await submitAndSettle({ type: 'checklist.check', payload: { itemId: 'a', checked: true } });
      const view = valueOf(await callResolver(rt, 'getIssueState', {}));
      expect(view.version).toBe(3);
      expect(view.checklist).toMatchObject([
        { itemId: 'a', text: 'First', checked: true, rank: 1 },
        { itemId: 'b', text: 'Second', checked: false, rank: 2 },
      ]);
      // Each field's revision, with who set it, for edits to send back as `basedOn`.
      const revision = {
        at: expect.any(Number),
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        by: 'user-admin',
      };
      expect(view.checklist[0]?.revisions).toEqual({ text: revision, checked: revision, rank: revision });
      expect(view.checklist[1]?.revisions.checked).toBeNull();
    });

    it('passes basedOn through: an edit of a field someone else changed since is refused, naming them', async () => {
      await submitAndSettle(add('a', 'Write docs'));
      const loaded = valueOf(await callResolver(rt, 'getIssueState', {}));
      const seen = loaded.checklist[0]!.revisions.text!;
      const basedOn = { at: seen.at, id: seen.id };
      // A client cannot say who it is: `by` comes from the Forge context.
      const { commandId: theirs } = valueOf(
        await callResolver(
          rt,
          'submitCommand',
          {
            type: 'checklist.rename',
            payload: { itemId: 'a', text: 'Write the docs', basedOn, by: 'user-admin' },
          },
          { accountId: 'user-app-dev' },
        ),
      );
      await rt.runUntilIdle();
      // Activity on the issue in between does not matter.
      await rt.fireProductEvent('avi:jira:commented:issue', {
        issue: { key: 'APP-1' },
        atlassianId: 'user-viewer',
        comment: { id: '30001' },
      });
      await rt.runUntilIdle();
      const check = await submitAndSettle({
        type: 'checklist.check',
        payload: { itemId: 'a', checked: true, basedOn: loaded.checklist[0]!.revisions.checked },
      });
      const mine = await submitAndSettle({
        type: 'checklist.rename',
        payload: { itemId: 'a', text: 'Write all docs', basedOn },
      });
      const { statuses } = valueOf(
        await callResolver(rt, 'getStatuses', { commandIds: [theirs, check, mine] }),
      );
      expect(statuses.map((s) => [s.status, s.reason])).toEqual([
        ['applied', undefined],
        ['applied', undefined],
        ['rejected', "the text of 'Write the docs' was changed by user-app-dev since you loaded it"],
      ]);
      const now = valueOf(await callResolver(rt, 'getIssueState', {}));
      expect(now.checklist[0]?.revisions.text?.by).toBe('user-app-dev');
    });

    it('refuses a user who may not browse the issue, and an anonymous call', async () => {
      const hidden = await callResolver(rt, 'getIssueState', {}, { accountId: 'user-app-dev', issue: OPS_1 });
      expect(hidden).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
      const anonymous = await callResolver(rt, 'getIssueState', {}, { accountId: undefined });
      expect(anonymous).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });

    it('answers invalid-input when the context names no issue', async () => {
      const result = await callResolver(rt, 'getIssueState', {}, { extension: { type: 'jira:issuePanel' } });
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    });
  });

  describe('submitCommand', () => {
    it('takes the issue from the context, never from the payload', async () => {
      const payload = {
        ...add('ctx'),
        issueId: APP_2.id,
        issue: { id: APP_2.id, key: APP_2.key },
        source: 'report-job',
      };
      await submitAndSettle(payload);
      const stored = rt.kvs.inspect.getEntity('issue-state', APP_1.id) as { version: number };
      expect(stored.version).toBe(1);
      expect(rt.kvs.inspect.getEntity('issue-state', APP_2.id)).toBeUndefined();
    });

    it('lets a developer with EDIT_ISSUES edit APP, and reports the outcome through getStatuses', async () => {
      const { commandId } = valueOf(
        await callResolver(rt, 'submitCommand', add('dev'), { accountId: 'user-app-dev' }),
      );
      const before = valueOf(await callResolver(rt, 'getStatuses', { commandIds: [commandId] }));
      expect(before.statuses).toEqual([{ commandId, status: 'pending' }]);
      await rt.runUntilIdle();
      const after = valueOf(
        await callResolver(rt, 'getStatuses', { commandIds: [commandId] }, { accountId: 'user-viewer' }),
      );
      expect(after.statuses).toEqual([
        { commandId, status: 'applied', version: 1, settledAt: expect.any(Number) },
      ]);
    });

    it('rejects an edit made from a stale view with a reason the panel recognises', async () => {
      await submitAndSettle(add('first'));
      const commandId = await submitAndSettle({ ...add('late'), expectedVersion: 0 });
      const { statuses } = valueOf(await callResolver(rt, 'getStatuses', { commandIds: [commandId] }));
      expect(statuses[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^stale view/) });
      const view = valueOf(await callResolver(rt, 'getIssueState', {}));
      expect(view.checklist.map((i) => i.itemId)).toEqual(['first']);
    });

    it('makes a retried request with the same client command id apply once', async () => {
      const payload = { ...add('once'), commandId: 'client-retry-1' };
      const first = valueOf(await callResolver(rt, 'submitCommand', payload));
      const second = valueOf(await callResolver(rt, 'submitCommand', payload));
      expect(second.commandId).toBe(first.commandId);
      expect(first.commandId).toBe(`ui:${APP_1.id}:client-retry-1`);
      await rt.runUntilIdle();
      const view = valueOf(await callResolver(rt, 'getIssueState', {}));
      expect(view.version).toBe(1);
    });

    it('refuses activity and report commands: people only edit the checklist', async () => {
      const before = pushes(rt);
      const result = await callResolver(rt, 'submitCommand', {
        type: 'activity.record',
        payload: { kind: 'updated', at: 1 },
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      expect(pushes(rt)).toBe(before);
    });
  });

  describe('permission denial enqueues nothing', () => {
    const cases: Array<{
      name: 'submitCommand' | 'startReport' | 'cancelReport' | 'rotateWebhookSecret';
      payload: unknown;
      accountId: Account;
      issue?: typeof APP_1;
    }> = [
      { name: 'submitCommand', payload: add('x'), accountId: 'user-viewer' },
      { name: 'submitCommand', payload: add('x'), accountId: 'user-app-dev', issue: OPS_1 },
      { name: 'startReport', payload: { kind: 'time-in-status' }, accountId: 'user-viewer' },
      { name: 'startReport', payload: { kind: 'time-in-status' }, accountId: 'user-app-dev' },
      { name: 'cancelReport', payload: { jobId: 'some-job' }, accountId: 'user-app-dev' },
      { name: 'rotateWebhookSecret', payload: {}, accountId: 'user-viewer' },
      { name: 'rotateWebhookSecret', payload: {}, accountId: 'user-app-dev' },
    ];
    for (const c of cases) {
      it(`${c.name} as ${c.accountId}${c.issue ? ` on ${c.issue.key}` : ''}`, async () => {
        const before = { ...rt.metered() };
        const result = await callResolver(rt, c.name, c.payload, { accountId: c.accountId, issue: c.issue });
        expect(result).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
        await rt.runUntilIdle();
        const after = rt.metered();
        expect(after['events.pushRequests']).toBe(before['events.pushRequests']);
        // Nothing was written either.
        expect(after['kvs.writeUnits'] ?? 0).toBe(before['kvs.writeUnits'] ?? 0);
      });
    }

    it('an anonymous submit is refused too', async () => {
      const before = pushes(rt);
      const result = await callResolver(rt, 'submitCommand', add('anon'), { accountId: undefined });
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(pushes(rt)).toBe(before);
    });
  });

  describe('getStatuses', () => {
    it("never reveals another issue's receipts", async () => {
      const other = await submitAndSettle(add('secret'), APP_2);
      const mine = await submitAndSettle(add('mine'));
      const fromApp1 = valueOf(await callResolver(rt, 'getStatuses', { commandIds: [other, mine] }));
      expect(fromApp1.statuses).toEqual([
        { commandId: other, status: 'pending' },
        { commandId: mine, status: 'applied', version: 1, settledAt: expect.any(Number) },
      ]);
      const fromApp2 = valueOf(
        await callResolver(rt, 'getStatuses', { commandIds: [other] }, { issue: APP_2 }),
      );
      expect(fromApp2.statuses[0]).toMatchObject({ status: 'applied' });
    });

    it('takes at most 25 ids, and refuses a user who may not browse the issue', async () => {
      const ids = Array.from({ length: 26 }, (_, i) => `command-${i}`);
      expect(await callResolver(rt, 'getStatuses', { commandIds: ids })).toMatchObject({
        ok: false,
        error: { code: 'invalid-input' },
      });
      expect(
        valueOf(await callResolver(rt, 'getStatuses', { commandIds: ids.slice(0, 25) })).statuses,
      ).toHaveLength(25);
      expect(
        await callResolver(
          rt,
          'getStatuses',
          { commandIds: ['command-1'] },
          { accountId: 'user-app-dev', issue: OPS_1 },
        ),
      ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });
  });

  describe('report jobs', () => {
    it('an administrator starts a report, polls it to done, and the issue shows its result', async () => {
      const started = valueOf(await callResolver(rt, 'startReport', { kind: 'time-in-status' }));
      expect(started).toMatchObject({
        started: true,
        job: { kind: 'time-in-status', state: 'running', trigger: 'manual', requestedBy: 'user-admin' },
      });
      const again = valueOf(await callResolver(rt, 'startReport', { kind: 'time-in-status' }));
      expect(again).toMatchObject({ started: false, job: { jobId: started.job.jobId } });

      await rt.runUntilIdle();
      const polled = valueOf(
        await callResolver(rt, 'getReport', { jobId: started.job.jobId }, { accountId: 'user-viewer' }),
      );
      expect(polled.job).toMatchObject({ state: 'done', done: polled.job.total, failed: 0 });
      const { jobs } = valueOf(await callResolver(rt, 'listReports', { limit: 5 }));
      expect(jobs.map((j) => j.jobId)).toContain(started.job.jobId);

      const view = valueOf(await callResolver(rt, 'getIssueState', {}));
      expect(view.reports).toEqual([
        expect.objectContaining({ reportKind: 'time-in-status', transitions: expect.any(Number) }),
      ]);
    });

    it('an administrator cancels a running report and it stays cancelled', async () => {
      const { job } = valueOf(await callResolver(rt, 'startReport', { kind: 'time-in-status' }));
      const cancelled = valueOf(await callResolver(rt, 'cancelReport', { jobId: job.jobId }));
      expect(cancelled.job).toMatchObject({ jobId: job.jobId, state: 'cancelled' });
      await rt.runUntilIdle();
      const polled = valueOf(await callResolver(rt, 'getReport', { jobId: job.jobId }));
      expect(polled.job.state).toBe('cancelled');
    });

    it('answers not-found for an unknown job', async () => {
      expect(await callResolver(rt, 'getReport', { jobId: 'no-such-job' })).toMatchObject({
        ok: false,
        error: { code: 'not-found' },
      });
      expect(await callResolver(rt, 'cancelReport', { jobId: 'no-such-job' })).toMatchObject({
        ok: false,
        error: { code: 'not-found' },
      });
    });
  });

  describe('rotateWebhookSecret', () => {
    it('gives an administrator a new secret each time', async () => {
      const first = valueOf(await callResolver(rt, 'rotateWebhookSecret', {}));
      const second = valueOf(await callResolver(rt, 'rotateWebhookSecret', {}));
      expect(first.secret.length).toBeGreaterThanOrEqual(32);
      expect(second.secret).not.toBe(first.secret);
    });
  });
});
