// The deployment web trigger under abuse and failure: anyone holding its URL can send requests, so
// a bad signature must cost no storage read while the secret's in-memory copy is fresh; a signed
// body names its issue by key, checked against Jira; and a 503 never leaves the nonce claimed, so
// the identical signed request can be retried, as the 503 says.
import { kvs } from '@forge/kvs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { WEBHOOK_SECRET_KEY } from '../../src/producers/deployments/webhook-secret.js';
import { callResolver, valueOf } from './resolver-test-kit.js';
import {
  callSigned,
  configureSecret,
  deployment,
  pushes,
  startApp,
  storedIssue,
  storedReceipt,
} from './webhook-harness.js';

const json = (response: { body: string }) => JSON.parse(response.body) as Record<string, unknown>;
const reads = (rt: LocalForgeRuntime) => rt.metered()['kvs.readRequests'] ?? 0;

describe('deployment web trigger, hardened', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  async function ready(seed = 5) {
    rt = await startApp(seed);
    await configureSecret(rt);
  }

  it('spends no KVS read on a bad signature while its copy of the secret is fresh', async () => {
    await ready();
    expect((await callSigned(rt, { body: deployment() })).statusCode).toBe(202);
    const before = rt.metered();
    for (let i = 0; i < 50; i++) {
      const response = await callSigned(rt, { body: deployment(), secret: `wrong-secret-${i}` });
      expect(response.statusCode).toBe(401);
      expect(json(response)['error']).toBe('bad-signature');
    }
    const after = rt.metered();
    expect((after['kvs.readRequests'] ?? 0) - (before['kvs.readRequests'] ?? 0)).toBe(0);
    expect((after['kvs.requests'] ?? 0) - (before['kvs.requests'] ?? 0)).toBe(0);
    expect(pushes(rt)).toBe(1);
  });

  it('costs at most one read per 10 s under a flood of bad signatures', async () => {
    await ready();
    expect((await callSigned(rt, { body: deployment() })).statusCode).toBe(202);
    const before = reads(rt);
    // Two requests a second for two minutes.
    for (let i = 0; i < 240; i++) {
      expect((await callSigned(rt, { body: deployment(), secret: 'not-the-secret' })).statusCode).toBe(401);
      await rt.advance(500);
    }
    expect(reads(rt) - before).toBeLessThanOrEqual(12);
  });

  it('takes a secret rotated elsewhere within 10 s, and stops taking the old one within 60 s', async () => {
    await ready();
    expect((await callSigned(rt, { body: deployment() })).statusCode).toBe(202);
    // Rotated by another instance: this one still holds the old copy.
    const rotated = 'rotated-secret-0123456789abcdef0123456789abcdef';
    await rt.runAsApp(() => kvs.setSecret(WEBHOOK_SECRET_KEY, rotated));
    await rt.advance(10_000);
    expect((await callSigned(rt, { body: deployment({ eventId: 'e-2' }), secret: rotated })).statusCode).toBe(
      202,
    );
    await rt.advance(60_000);
    expect((await callSigned(rt, { body: deployment({ eventId: 'e-3' }) })).statusCode).toBe(401);
  });

  it('takes a secret rotated through the admin resolver at once', async () => {
    await ready();
    expect((await callSigned(rt, { body: deployment() })).statusCode).toBe(202);
    const { secret } = valueOf(await callResolver(rt, 'rotateWebhookSecret', {}));
    expect((await callSigned(rt, { body: deployment({ eventId: 'e-2' }), secret })).statusCode).toBe(202);
    expect((await callSigned(rt, { body: deployment({ eventId: 'e-3' }) })).statusCode).toBe(401);
  });

  it('refuses a body naming an issue id, and creates nothing for it', async () => {
    await ready();
    for (const target of [{ issueId: '99999' }, { issueId: '10001' }]) {
      const response = await callSigned(rt, { body: deployment({ issueKey: undefined, ...target }) });
      expect(response.statusCode).toBe(400);
      expect(json(response)).toEqual({ error: 'invalid-body', message: expect.stringMatching(/issueKey/) });
    }
    const unknown = await callSigned(rt, { body: deployment({ issueKey: 'APP-999' }) });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)['error']).toBe('unknown-issue');
    await rt.runUntilIdle();
    expect(pushes(rt)).toBe(0);
    expect(rt.storage.listEntity('issue-state')).toHaveLength(0);
  });

  it('never leaves a nonce claimed after a 503: the identical request, retried, is accepted once', async () => {
    await ready(17);
    // Storage that times out (half the time after writing) and pushes that always fail.
    rt.setFaults({ kvs: { timeout: 0.3 }, push: { serverError: 1 } });
    const calls = Array.from({ length: 12 }, (_, i) => ({
      body: deployment({ eventId: `deploy-${i}`, issueKey: i % 2 === 0 ? 'APP-1' : 'APP-2' }),
      nonce: `retry-nonce-${String(i).padStart(8, '0')}`,
    }));
    for (const call of calls) expect((await callSigned(rt, call)).statusCode).toBe(503);
    rt.setFaults({});
    const retried = await Promise.all(calls.map((call) => callSigned(rt, call)));
    expect(retried.map((r) => r.statusCode)).toEqual(calls.map(() => 202));
    await rt.runUntilIdle();
    for (const response of retried) {
      const [id] = json(response)['commandIds'] as string[];
      expect(storedReceipt(rt, id!)?.status).toBe('applied');
    }
    expect(storedIssue(rt, '10001')?.state.activity.external).toHaveLength(6);
    expect(storedIssue(rt, '10002')?.state.activity.external).toHaveLength(6);
    // Accepted now: the same request again is a replay.
    expect((await callSigned(rt, calls[0]!)).statusCode).toBe(409);
  });

  it('applies two identical requests racing each other once', async () => {
    await ready();
    const call = { body: deployment(), nonce: 'race-nonce-0000000001' };
    const answers = await Promise.all([callSigned(rt, call), callSigned(rt, call)]);
    expect(answers.every((a) => a.statusCode === 202 || a.statusCode === 409)).toBe(true);
    expect(answers.some((a) => a.statusCode === 202)).toBe(true);
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10001')).toMatchObject({ version: 1 });
    expect(storedIssue(rt, '10001')?.state.activity.external).toHaveLength(1);
  });
});
