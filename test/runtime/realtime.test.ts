// Forge Realtime on the local runtime: the real `@forge/realtime` signs tokens and publishes to
// global channels over `__forge_fetch__`; subscriptions (what the browser's bridge opens) receive
// only events published with a token carrying the same claims, and every use is counted.
import { Script } from 'node:vm';
import { publishGlobal, signRealtimeToken } from '@forge/realtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import type { RealtimeEvent } from '../../local-runtime/realtime/realtime-channels.js';
import { bridgeScript } from '../../local-runtime/server/custom-ui-bridge.js';
import { KVS_APP_DIR } from '../fixtures/kvs-app/harness.js';

const START = Date.UTC(2026, 0, 1);
let rt: LocalForgeRuntime;

beforeEach(async () => {
  rt = await createRuntime({ appDir: KVS_APP_DIR, startTime: START });
});
afterEach(async () => {
  await rt.close();
});

/** Signs a token inside an invocation (virtual time is what the package checks expiry against). */
async function token(
  channel: string,
  claims: Record<string, unknown>,
  permissions?: ['subscribe' | 'publish'],
) {
  const signed = await rt.runAsApp(() => signRealtimeToken(channel, claims, permissions));
  if (!signed.token) throw new Error(JSON.stringify(signed.errors));
  return signed.token;
}

function listen(channelName: string, tokenValue?: string): { events: RealtimeEvent[]; stop: () => void } {
  const events: RealtimeEvent[] = [];
  const result = rt.realtime.subscribe(
    { channelName, isGlobal: true, ...(tokenValue ? { token: tokenValue } : {}) },
    (e) => events.push(e),
  );
  if (!result.ok) throw new Error(result.reason);
  return { events, stop: result.unsubscribe };
}

describe('Forge Realtime', () => {
  it("ships a bridge script the browser can parse (it carries the bridge's subscribe)", () => {
    const html = bridgeScript({ moduleKey: 'm', accountId: 'a', context: { extension: {} } });
    const source = html.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, '');
    expect(() => new Script(source)).not.toThrow();
    expect(source).toContain("case 'subscribeRealtimeChannel'");
  });

  it('delivers a global publish to subscribers whose token has the same claims, and only to them', async () => {
    const same = listen(
      'issue-changes-10001',
      await token('issue-changes-10001', { issueId: '10001' }, ['subscribe']),
    );
    const other = listen(
      'issue-changes-10001',
      await token('issue-changes-10001', { issueId: '10002' }, ['subscribe']),
    );
    const untokened = listen('issue-changes-10001');
    const publisher = await token('issue-changes-10001', { issueId: '10001' }, ['publish']);
    const result = await rt.runAsApp(() =>
      publishGlobal('issue-changes-10001', { version: 3 }, { token: publisher }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.eventId).toMatch(/^rt-/);
    expect(same.events.map((e) => JSON.parse(e.payload) as unknown)).toEqual([{ version: 3 }]);
    expect(other.events).toEqual([]);
    expect(untokened.events).toEqual([]);
    // Without a token, a global publish reaches the subscriptions made without one.
    await rt.runAsApp(() => publishGlobal('issue-changes-10001', 'plain'));
    expect(untokened.events.map((e) => e.payload)).toEqual(['"plain"']);
    expect(rt.metered()['realtime.publishes']).toBe(2);
    expect(rt.metered()['realtime.deliveries']).toBe(2);
    expect(rt.metered()['realtime.tokensSigned']).toBe(3);
  });

  it('answers no event id when nobody subscribes (docs: the event is not kept)', async () => {
    const result = await rt.runAsApp(() => publishGlobal('nobody', { a: 1 }));
    expect(result).toEqual({ eventId: null, eventTimestamp: null });
  });

  it('refuses a subscription with a publish-only, expired, forged or other-channel token', async () => {
    const publishOnly = await token('c', { issueId: '1' }, ['publish']);
    const other = await token('d', { issueId: '1' });
    const good = await token('c', { issueId: '1' });
    const [head, , mac] = good.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ channel: { name: 'c' }, claims: { issueId: '2' }, iat: 0, exp: 9e9 }),
    ).toString('base64url');
    const refusal = (t: string) => {
      const r = rt.realtime.subscribe({ channelName: 'c', isGlobal: true, token: t }, () => undefined);
      return r.ok ? 'accepted' : r.reason;
    };
    expect(refusal(publishOnly)).toMatch(/MISSING_PERMISSION/);
    expect(refusal(other)).toMatch(/CHANNEL_NAME_MISMATCH/);
    expect(refusal(`${head}.${forgedBody}.${mac}`)).toMatch(/INVALID_TOKEN/);
    expect(refusal(good)).toBe('accepted');
    await rt.advance(3600_000);
    expect(refusal(good)).toMatch(/TOKEN_EXPIRED/);
    expect(rt.metered()['realtime.refused']).toBe(4);
  });

  it('refuses a publish with a subscribe-only token on the wire, even past the package check', async () => {
    const subscribeOnly = await token('c', { issueId: '1' }, ['subscribe']);
    // The package refuses it itself before any request...
    const byPackage = await rt.runAsApp(() => publishGlobal('c', 'x', { token: subscribeOnly }));
    expect(byPackage.errors?.[0]).toMatchObject({ message: expect.stringMatching(/MISSING_PERMISSION/) });
    // ...and the runtime refuses the same request sent straight to the wire.
    const raw = await rt.runAsApp(() =>
      globalThis.__forge_fetch__!({ type: 'realtime' }, '/', {
        method: 'POST',
        body: JSON.stringify({
          query:
            'mutation publishRealtimeChannel($name: String!) { ecosystem { publishRealtimeChannel(name: $name) { eventId } } }',
          variables: { name: 'c', payload: '"x"', isGlobal: true, token: subscribeOnly },
        }),
      }),
    );
    const body = (await raw.json()) as { errors?: Array<{ message: string }> };
    expect(body.errors?.[0]?.message).toMatch(/MISSING_PERMISSION/);
  });

  it('fails every call while switched down, and ends open subscriptions', async () => {
    let ended = false;
    rt.realtime.onDown(() => (ended = true));
    rt.realtime.setDown(true);
    expect(ended).toBe(true);
    const published = await rt.runAsApp(() => publishGlobal('c', 'x'));
    expect(published.errors?.[0]).toMatchObject({ status: 503 });
    const signed = await rt.runAsApp(() => signRealtimeToken('c', {}));
    expect(signed.token).toBeNull();
    expect(rt.realtime.subscribe({ channelName: 'c', isGlobal: true }, () => undefined)).toMatchObject({
      ok: false,
      status: 503,
    });
    expect(rt.metered()['realtime.failed']).toBe(3);
    rt.realtime.setDown(false);
    expect((await rt.runAsApp(() => publishGlobal('c', 'x'))).errors).toBeUndefined();
  });
});
