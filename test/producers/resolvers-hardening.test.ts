// Resolver findings, reproduced: a client command id reused for a different edit must be refused
// (as payment APIs refuse an idempotency key reused with different content), not answered `ok`
// and silently dropped; and report jobs' details (JQL, who asked, the failure's text) are for Jira
// administrators only, while anyone who may browse the issue sees a job's state and progress.
import { kvs } from '@forge/kvs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { APP_1, callResolver, newRuntime, pushes, valueOf } from './resolver-test-kit.js';
import { storedIssue } from './webhook-harness.js';

describe('issue panel resolvers, hardened', () => {
  let rt: LocalForgeRuntime;
  beforeEach(async () => {
    rt = await newRuntime();
  });
  afterEach(() => rt.close());

  describe('a client command id', () => {
    const add = (itemId: string, text: string) => ({
      type: 'checklist.add',
      payload: { itemId, text },
      commandId: 'client-id-0001',
    });

    it('reused for a different edit is refused with a clear error, and nothing of it is queued', async () => {
      const first = valueOf(await callResolver(rt, 'submitCommand', add('a', 'First')));
      await rt.runUntilIdle();
      const pushed = pushes(rt);

      const reused = await callResolver(rt, 'submitCommand', add('b', 'Something else'));
      expect(reused).toEqual({
        ok: false,
        error: { code: 'invalid-input', message: expect.stringMatching(/already used/) },
      });
      expect(pushes(rt)).toBe(pushed);
      await rt.runUntilIdle();
      expect(Object.keys(storedIssue(rt, APP_1.id)!.state.checklist)).toEqual(['a']);
      const { statuses } = valueOf(await callResolver(rt, 'getStatuses', { commandIds: [first.commandId] }));
      expect(statuses[0]).toMatchObject({ status: 'applied', version: 1 });
    });

    it('reused before the first edit settled is refused too', async () => {
      valueOf(await callResolver(rt, 'submitCommand', add('a', 'First')));
      const reused = await callResolver(rt, 'submitCommand', add('a', 'Changed my mind'));
      expect(reused).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      await rt.runUntilIdle();
      expect(storedIssue(rt, APP_1.id)!.state.checklist['a']?.text?.value).toBe('First');
    });

    it('sent again with the same edit (a retry) is accepted and applies once', async () => {
      const first = valueOf(await callResolver(rt, 'submitCommand', add('a', 'First')));
      const retry = valueOf(await callResolver(rt, 'submitCommand', add('a', 'First')));
      expect(retry.commandId).toBe(first.commandId);
      await rt.runUntilIdle();
      expect(storedIssue(rt, APP_1.id)).toMatchObject({ version: 1 });
    });
  });

  describe('report job details', () => {
    async function failedJob(): Promise<string> {
      // A job that failed, with its reason, as a job of an earlier day would be stored.
      await rt.runAsApp(() =>
        kvs.entity('report-job').set('failed-job', {
          jobId: 'failed-job',
          kind: 'time-in-status',
          state: 'failed',
          trigger: 'manual',
          jql: 'project = SECRET AND labels = layoffs',
          startedAt: rt.clock.now() - 60_000,
          finishedAt: rt.clock.now() - 30_000,
          requestedBy: 'user-admin',
          error: 'scan: Jira answered 400 for project SECRET',
        }),
      );
      return 'failed-job';
    }

    it('are shown to a Jira administrator', async () => {
      const jobId = await failedJob();
      const { job } = valueOf(await callResolver(rt, 'getReport', { jobId }));
      expect(job).toMatchObject({
        state: 'failed',
        jql: 'project = SECRET AND labels = layoffs',
        requestedBy: 'user-admin',
        error: expect.stringContaining('SECRET'),
      });
      const { jobs } = valueOf(await callResolver(rt, 'listReports', { limit: 5 }));
      expect(jobs[0]).toMatchObject({ jobId, jql: expect.any(String), requestedBy: 'user-admin' });
    });

    it('are withheld from other users, who see state and progress only', async () => {
      const jobId = await failedJob();
      for (const accountId of ['user-viewer', 'user-app-dev'] as const) {
        const { job } = valueOf(await callResolver(rt, 'getReport', { jobId }, { accountId }));
        expect(job).toMatchObject({ jobId, state: 'failed', done: 0, failed: 0, total: null });
        expect(job).not.toHaveProperty('jql');
        expect(job).not.toHaveProperty('requestedBy');
        expect(job).not.toHaveProperty('error');
        const { jobs } = valueOf(await callResolver(rt, 'listReports', { limit: 5 }, { accountId }));
        expect(jobs).toHaveLength(1);
        expect(JSON.stringify(jobs)).not.toMatch(/SECRET|layoffs|user-admin/);
      }
    });
  });
});
