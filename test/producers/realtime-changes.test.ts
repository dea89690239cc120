// Live updates: the consumer announces each applied change on the issue's Realtime channel
// (version, command ids and types, item ids; no texts), and getRealtimeToken signs a subscribe-only
// token for that channel only for a user who may see the issue.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import type { RealtimeEvent } from '../../local-runtime/realtime/realtime-channels.js';
import type { ResolverResult, ResponseOf } from '../../src/shared/resolver-api.js';

const appDir = path.resolve(import.meta.dirname, '../..');
const APP_1 = { type: 'jira:issuePanel', issue: { id: '10001', key: 'APP-1' } };
const APP_2 = { type: 'jira:issuePanel', issue: { id: '10002', key: 'APP-2' } };
const OPS_1 = { type: 'jira:issuePanel', issue: { id: '10019', key: 'OPS-1' } };

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir });
});
afterEach(() => rt.close());

async function tokenFor(accountId: string, extension: typeof APP_1) {
  return (await rt.invokeResolver({
    functionKey: 'getRealtimeToken',
    payload: {},
    accountId,
    extension,
  })) as ResolverResult<ResponseOf<'getRealtimeToken'>>;
}

async function listen(accountId: string, extension: typeof APP_1): Promise<unknown[]> {
  const answer = await tokenFor(accountId, extension);
  if (!answer.ok) throw new Error(answer.error.message);
  const messages: unknown[] = [];
  const sub = rt.realtime.subscribe(
    { channelName: answer.value.channel, isGlobal: true, token: answer.value.token },
    (e: RealtimeEvent) => messages.push(JSON.parse(e.payload)),
  );
  if (!sub.ok) throw new Error(sub.reason);
  return messages;
}

async function submit(extension: typeof APP_1, payload: unknown): Promise<string> {
  const sent = (await rt.invokeResolver({
    functionKey: 'submitCommand',
    payload,
    accountId: 'user-admin',
    extension,
  })) as ResolverResult<ResponseOf<'submitCommand'>>;
  if (!sent.ok) throw new Error(sent.error.message);
  return sent.value.commandId;
}

describe('live updates over Forge Realtime', () => {
  it("publishes each applied change to the issue's channel, heard only with that issue's token", async () => {
    const app1 = await listen('user-viewer', APP_1);
    const app2 = await listen('user-viewer', APP_2);
    const id = await submit(APP_1, {
      type: 'checklist.add',
      payload: { itemId: 'a1', text: 'A secret plan' },
    });
    await rt.runUntilIdle();
    expect(app1).toEqual([
      { issueId: '10001', version: 1, changes: [{ commandId: id, type: 'checklist.add', itemId: 'a1' }] },
    ]);
    expect(JSON.stringify(app1)).not.toContain('secret');
    expect(app2).toEqual([]);
    // A Jira event's activity is a change too.
    await rt.fireProductEvent('avi:jira:commented:issue', { issue: { key: 'APP-1' } });
    await rt.runUntilIdle();
    expect(app1).toHaveLength(2);
    expect(app1[1]).toMatchObject({ issueId: '10001', version: 2, changes: [{ type: 'activity.record' }] });
    // Two viewer tokens and a publish token per commit; two publishes, each reaching one subscriber.
    expect(rt.metered()).toMatchObject({
      'realtime.tokensSigned': 4,
      'realtime.publishes': 2,
      'realtime.deliveries': 2,
    });
  });

  it('signs a token only for a user who may see the issue', async () => {
    expect(await tokenFor('user-app-dev', OPS_1)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(rt.metered()['realtime.tokensSigned']).toBe(0);
    const granted = await tokenFor('user-app-dev', APP_1);
    expect(granted).toMatchObject({ ok: true, value: { channel: 'issue-changes-10001' } });
  });

  it('still applies every command while Realtime is down, and says so in the logs only', async () => {
    rt.realtime.setDown(true);
    await submit(APP_1, { type: 'checklist.add', payload: { itemId: 'a1', text: 'x' } });
    await rt.runUntilIdle();
    expect((rt.storage.getEntity('issue-state', '10001') as { version: number }).version).toBe(1);
    expect(rt.metered()['functions.threw']).toBe(0);
    expect(rt.metered()['realtime.failed']).toBe(1);
  });
});
