// The signed deployment web trigger through the real runtime: success, every refusal with its
// status code, and nothing enqueued whenever a call is refused.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { MAX_BODY_BYTES } from '../../src/producers/deployments/deployment-webhook.js';
import { rotateWebhookSecret, WEBHOOK_SECRET_KEY } from '../../src/producers/deployments/webhook-secret.js';
import { kvs } from '@forge/kvs';
import {
  callSigned,
  configureSecret,
  deployment,
  pushes,
  SECRET,
  startApp,
  storedIssue,
  storedReceipt,
} from './webhook-harness.js';

const json = (response: { body: string }) => JSON.parse(response.body) as Record<string, unknown>;

describe('deployment web trigger', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  async function ready(logs?: string[]) {
    rt = await startApp(3, logs);
    await configureSecret(rt);
  }

  it('accepts a signed event with 202 and its command id, and the consumer applies it', async () => {
    await ready();
    const response = await callSigned(rt, { body: deployment() });
    expect(response.statusCode).toBe(202);
    const { commandIds } = json(response) as { commandIds: string[] };
    expect(commandIds).toHaveLength(1);
    expect(commandIds[0]).toMatch(/^deploy-[0-9a-f]{40}$/);
    expect(pushes(rt)).toBe(1);

    await rt.runUntilIdle();
    expect(storedReceipt(rt, commandIds[0]!)?.status).toBe('applied');
    expect(storedIssue(rt, '10001')?.state.activity.external).toEqual([
      {
        eventId: 'build-42-deploy-1',
        kind: 'deployment',
        environment: 'production',
        status: 'succeeded',
        at: 1_767_000_000_000,
        url: 'https://ci.example.com/builds/42',
      },
    ]);
  });

  it('applies a re-sent event once', async () => {
    await ready();
    const body = deployment({ issueKey: 'APP-2', url: undefined });
    const first = await callSigned(rt, { body });
    const again = await callSigned(rt, { body }); // the CI system retries with a new nonce
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(json(again)).toEqual(json(first));
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10002')?.version).toBe(1);
    expect(storedIssue(rt, '10002')?.state.activity.external).toHaveLength(1);
  });

  it('gives one deployment reported for two issues one command per issue', async () => {
    await ready();
    const a = json(await callSigned(rt, { body: deployment({ issueKey: 'APP-1' }) }));
    const b = json(await callSigned(rt, { body: deployment({ issueKey: 'APP-2' }) }));
    expect(a['commandIds']).not.toEqual(b['commandIds']);
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10001')?.state.activity.external).toHaveLength(1);
    expect(storedIssue(rt, '10002')?.state.activity.external).toHaveLength(1);
  });

  it('refuses with 503 not-configured while no secret exists', async () => {
    rt = await startApp();
    const response = await callSigned(rt, { body: deployment() });
    expect(response.statusCode).toBe(503);
    expect(json(response)['error']).toBe('not-configured');
    expect(pushes(rt)).toBe(0);
  });

  it('refuses bad calls with the right 4xx and enqueues nothing', async () => {
    const logs: string[] = [];
    await ready(logs);
    const now = Math.floor(rt.clock.now() / 1000);
    const cases: Array<{
      name: string;
      status: number;
      error: string;
      call: () => ReturnType<typeof callSigned>;
    }> = [
      {
        name: 'GET',
        status: 405,
        error: 'method-not-allowed',
        call: () => callSigned(rt, { body: deployment(), method: 'GET' }),
      },
      {
        name: 'wrong secret',
        status: 401,
        error: 'bad-signature',
        call: () => callSigned(rt, { body: deployment(), secret: 'not-the-secret' }),
      },
      {
        name: 'no auth headers',
        status: 401,
        error: 'missing-signature',
        call: () => rt.callWebTrigger('deployment-webhook', { method: 'POST', body: deployment() }),
      },
      {
        name: 'body changed after signing',
        status: 401,
        error: 'bad-signature',
        call: async () => {
          const headers = { 'x-forge-timestamp': [String(now)], 'x-forge-nonce': ['nonce-0000000000000001'] };
          const { signRequest } = await import('../../src/producers/deployments/webhook-signature.js');
          const signature = signRequest(SECRET, String(now), 'nonce-0000000000000001', deployment());
          return rt.callWebTrigger('deployment-webhook', {
            method: 'POST',
            headers: { ...headers, 'x-forge-signature': [signature] },
            body: deployment({ environment: 'staging' }),
          });
        },
      },
      {
        name: 'stale timestamp',
        status: 401,
        error: 'stale-timestamp',
        call: () => callSigned(rt, { body: deployment(), timestamp: String(now - 301) }),
      },
      {
        name: 'future timestamp',
        status: 401,
        error: 'stale-timestamp',
        call: () => callSigned(rt, { body: deployment(), timestamp: String(now + 301) }),
      },
      {
        name: 'invalid JSON',
        status: 400,
        error: 'invalid-json',
        call: () => callSigned(rt, { body: '{"issueKey":' }),
      },
      {
        name: 'missing fields',
        status: 400,
        error: 'invalid-body',
        call: () => callSigned(rt, { body: '{"issueKey":"APP-1"}' }),
      },
      {
        name: 'not an object',
        status: 400,
        error: 'invalid-body',
        call: () => callSigned(rt, { body: '[1,2]' }),
      },
      {
        name: 'bad status',
        status: 400,
        error: 'invalid-body',
        call: () => callSigned(rt, { body: deployment({ status: 'exploded' }) }),
      },
      {
        name: 'key and id',
        status: 400,
        error: 'invalid-body',
        call: () => callSigned(rt, { body: deployment({ issueId: '10001' }) }),
      },
      {
        name: 'an id instead of a key',
        status: 400,
        error: 'invalid-body',
        call: () => callSigned(rt, { body: deployment({ issueKey: undefined, issueId: '10001' }) }),
      },
      {
        name: 'neither key nor id',
        status: 400,
        error: 'invalid-body',
        call: () => callSigned(rt, { body: deployment({ issueKey: undefined }) }),
      },
      {
        name: 'script url',
        status: 400,
        error: 'invalid-body',
        call: () => callSigned(rt, { body: deployment({ url: 'javascript:alert(1)' }) }),
      },
      {
        name: 'unknown issue',
        status: 404,
        error: 'unknown-issue',
        call: () => callSigned(rt, { body: deployment({ issueKey: 'APP-999' }) }),
      },
      {
        name: 'too large',
        status: 413,
        error: 'payload-too-large',
        call: () => callSigned(rt, { body: deployment({ environment: 'x'.repeat(MAX_BODY_BYTES) }) }),
      },
    ];
    for (const c of cases) {
      const response = await c.call();
      expect({ name: c.name, status: response.statusCode, error: json(response)['error'] }).toEqual({
        name: c.name,
        status: c.status,
        error: c.error,
      });
      expect(typeof json(response)['message']).toBe('string');
      expect(response.body).not.toContain(SECRET);
    }
    await rt.runUntilIdle();
    expect(pushes(rt)).toBe(0);
    expect(rt.storage.listEntity('issue-state')).toHaveLength(0);
    expect(logs.join('\n')).not.toContain(SECRET);
    expect(logs.join('\n')).not.toMatch(/sha256=[0-9a-f]{64}/);
  });

  it('refuses a replayed nonce with 409, and pushes only once', async () => {
    await ready();
    const call = { body: deployment(), nonce: 'b1946ac9-2b1f-4d3c-9a49-000000000001' };
    expect((await callSigned(rt, call)).statusCode).toBe(202);
    const replay = await callSigned(rt, call);
    expect(replay.statusCode).toBe(409);
    expect(json(replay)['error']).toBe('replayed-nonce');
    expect(pushes(rt)).toBe(1);
    // Still refused near the end of the window, when the timestamp has not gone stale yet.
    await rt.advance(4 * 60_000);
    expect((await callSigned(rt, call)).statusCode).toBe(409);
    expect(pushes(rt)).toBe(1);
  });

  it('answers 503 when the push fails, and claims no nonce, so the same request can be retried', async () => {
    await ready();
    rt.setFaults({ push: { serverError: 1 } });
    const call = { body: deployment(), nonce: 'b1946ac9-2b1f-4d3c-9a49-000000000002' };
    const failed = await callSigned(rt, call);
    expect(failed.statusCode).toBe(503);
    expect(json(failed)).toEqual({ error: 'unavailable', message: expect.any(String) });
    rt.setFaults({});
    const retried = await callSigned(rt, call);
    expect(retried.statusCode).toBe(202);
    await rt.runUntilIdle();
    expect(storedIssue(rt, '10001')?.state.activity.external).toHaveLength(1);
  });

  it('rotates the secret: the new one signs, the old one no longer does', async () => {
    await ready();
    const fresh = await rt.runAsApp(() => rotateWebhookSecret());
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(await rt.runAsApp(() => kvs.getSecret(WEBHOOK_SECRET_KEY))).toBe(fresh);
    expect((await callSigned(rt, { body: deployment() })).statusCode).toBe(401);
    expect((await callSigned(rt, { body: deployment(), secret: fresh })).statusCode).toBe(202);
  });
});
