// Pushing events through the real `@forge/events` client: every refusal surfaces as the package's
// own error class, and the server checks the request again whatever the client sent.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InternalServerError,
  InvocationLimitReachedError,
  PartialSuccessError,
  PayloadTooBigError,
  Queue,
  RateLimitError,
} from '@forge/events';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { EVENTS_APP_DIR, deliveries, resetDeliveries } from '../fixtures/events-app/harness.js';

let rt: LocalForgeRuntime | undefined;

async function start(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  rt = await createRuntime({ appDir: EVENTS_APP_DIR, seed: 7, ...options });
  return rt;
}

beforeEach(() => resetDeliveries());
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

/** Posts a raw publish request, as an app bypassing the client's own checks would. */
async function rawPublish(body: unknown): Promise<Response> {
  return globalThis.__forge_fetch__!(
    { type: 'fpp', provider: 'app', remote: 'stargate' },
    '/webhook/queue/publish/ari/local/app/1',
    { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
  );
}

const tags = (n: number, prefix = 'e') =>
  Array.from({ length: n }, (_, i) => ({ body: { tag: `${prefix}${i}` } }));

describe('push', () => {
  it('returns a jobId and delivers each event of the push to the queue consumer', async () => {
    const runtime = await start();
    const result = await new Queue({ key: 'work' }).push(tags(3));
    expect(result.jobId).toMatch(/^[0-9a-f-]{36}$/);
    await runtime.runUntilIdle();
    expect(deliveries().map((d) => [d.queue, d.tag])).toEqual([
      ['work', 'e0'],
      ['work', 'e1'],
      ['work', 'e2'],
    ]);
    expect(new Set(deliveries().map((d) => d.event.jobId))).toEqual(new Set([result.jobId]));
    const m = runtime.metered();
    expect([m['events.pushRequests'], m['events.pushed'], m['events.pushRejected']]).toEqual([1, 3, 0]);
  });

  it('accepts 500 events a minute per installation and answers RateLimitError beyond, until the minute is over', async () => {
    const runtime = await start();
    const work = new Queue({ key: 'work' });
    const other = new Queue({ key: 'other-work' });
    // The limit is per installation: two queues share it.
    for (let i = 0; i < 5; i++) await work.push(tags(50));
    for (let i = 0; i < 5; i++) await other.push(tags(50));
    await expect(work.push({ body: { tag: 'one-too-many' } })).rejects.toBeInstanceOf(RateLimitError);
    expect(runtime.metered()['events.rateLimited']).toBe(1);
    expect(runtime.metered()['events.pushed']).toBe(500);
    expect(runtime.metered()['events.pushRejected']).toBe(1);

    await runtime.advance(59_000);
    await expect(work.push({ body: { tag: 'still-too-many' } })).rejects.toBeInstanceOf(RateLimitError);
    await runtime.advance(1_000);
    await expect(work.push({ body: { tag: 'next-minute' } })).resolves.toHaveProperty('jobId');
    await runtime.runUntilIdle();
    expect(deliveries().map((d) => d.tag)).not.toContain('one-too-many');
    expect(deliveries().map((d) => d.tag)).toContain('next-minute');
    expect(deliveries()).toHaveLength(501);
  });

  it('honours a lower eventsPerMinute option', async () => {
    await start({ events: { eventsPerMinute: 10 } });
    const work = new Queue({ key: 'work' });
    await work.push(tags(10));
    await expect(work.push(tags(1))).rejects.toBeInstanceOf(RateLimitError);
  });

  it('answers an injected rate limit with RateLimitError and enqueues nothing', async () => {
    const runtime = await start({ faults: { push: { rateLimited: 1 } } });
    await expect(new Queue({ key: 'work' }).push(tags(4))).rejects.toBeInstanceOf(RateLimitError);
    await runtime.runUntilIdle();
    expect(deliveries()).toHaveLength(0);
    expect(runtime.metered()['events.pushRejected']).toBe(4);
  });

  it('answers an injected server error with InternalServerError and enqueues nothing', async () => {
    const runtime = await start({ faults: { push: { serverError: 1 } } });
    const error = await new Queue({ key: 'work' }).push(tags(4)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).message).toMatch(/^500 Internal Server Error/);
    await runtime.runUntilIdle();
    expect(deliveries()).toHaveLength(0);
    expect(runtime.metered()['events.pushed']).toBe(0);
  });

  it('answers an injected partial failure with PartialSuccessError naming the refused events, which never run', async () => {
    const runtime = await start({ faults: { push: { partial: 1 } } });
    const events = tags(10);
    const error = await new Queue({ key: 'work' }).push(events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialSuccessError);
    const partial = error as PartialSuccessError;
    expect(partial.result.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(partial.failedEvents.length).toBeGreaterThan(0);
    expect(partial.failedEvents.length).toBeLessThan(10);
    expect(partial.message).toBe(`Failed to process ${partial.failedEvents.length} event(s).`);
    const refused = partial.failedEvents.map(
      (f) => (f as unknown as { payload: { body: { tag: string } } }).payload.body.tag,
    );
    for (const f of partial.failedEvents) expect(f.errorMessage).toMatch(/could not be queued/);

    await runtime.runUntilIdle();
    const delivered = deliveries().map((d) => d.tag);
    expect(delivered).toHaveLength(10 - refused.length);
    for (const tag of refused) expect(delivered).not.toContain(tag);
    expect(new Set([...delivered, ...refused])).toEqual(new Set(events.map((e) => e.body.tag)));
    expect(runtime.metered()['events.pushRejected']).toBe(refused.length);
    // The accepted part is a real job.
    expect(await new Queue({ key: 'work' }).getJob(partial.result.jobId).getStats()).toEqual({
      success: 10 - refused.length,
      inProgress: 0,
      failed: 0,
    });
  });

  it('refuses more than 200 KB in the client with PayloadTooBigError', async () => {
    const runtime = await start();
    const big = 'x'.repeat(210 * 1024);
    await expect(new Queue({ key: 'work' }).push({ body: { big } })).rejects.toBeInstanceOf(
      PayloadTooBigError,
    );
    expect(runtime.metered()['events.pushRequests']).toBe(0);
  });

  it('refuses an event over 100 KB on the server (HTTP 413) when its consumer may run over 55 s', async () => {
    const runtime = await start();
    const body = { tag: 'large', data: 'y'.repeat(150 * 1024) };
    const error = await new Queue({ key: 'long-work' }).push({ body }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooBigError);
    expect((error as Error).message).toMatch(/100 KB/);
    expect(runtime.metered()['events.pushRequests']).toBe(1);
    // The same event is fine for a consumer with the default 55 s timeout.
    await expect(new Queue({ key: 'work' }).push({ body })).resolves.toHaveProperty('jobId');
  });

  it('refuses a queue without a consumer in the manifest with a clear error', async () => {
    await start();
    const error = await new Queue({ key: 'no-such-queue' }).push({ body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).message).toContain("No consumer for queue 'no-such-queue'");
    expect((error as InternalServerError).errorCode).toBe('QUEUE_NOT_FOUND');
  });

  it('checks every request again on the server', async () => {
    const runtime = await start();
    const valid = {
      queueName: 'work',
      jobId: 'job-1',
      type: 'avi:forge:app:event',
      time: new Date().toISOString(),
    };
    const cases: Array<[unknown, number]> = [
      ['not an object', 400],
      [{ ...valid, payload: [] }, 400],
      [{ ...valid, payload: tags(51) }, 400],
      [{ ...valid, payload: [{ body: [1, 2] }] }, 400],
      [{ ...valid, payload: [{ body: {}, delayInSeconds: 901 }] }, 400],
      [{ ...valid, payload: [{ body: {}, delayInSeconds: -1 }] }, 400],
      [{ ...valid, payload: [{ body: {}, concurrency: { key: '', limit: 1 } }] }, 400],
      [{ ...valid, payload: [{ body: {}, concurrency: { key: 'k', limit: 0 } }] }, 400],
      [{ ...valid, payload: [{ body: {}, concurrency: { key: 'k', limit: 1.5 } }] }, 400],
      [{ ...valid, queueName: 'bad name!', payload: tags(1) }, 400],
      [{ ...valid, payload: [{ body: { big: 'z'.repeat(201 * 1024) } }] }, 413],
      [
        {
          ...valid,
          payload: [{ body: { tag: 'ok' }, delayInSeconds: 900, concurrency: { key: 'k', limit: 1 } }],
        },
        201,
      ],
    ];
    for (const [body, status] of cases)
      expect((await rawPublish(body)).status, JSON.stringify(body).slice(0, 80)).toBe(status);
    expect(runtime.metered()['events.pushed']).toBe(1);
  });

  it('stops a chain of pushes from consumers at the cyclic invocation limit with InvocationLimitReachedError', async () => {
    const runtime = await start({ events: { cyclicPushLimit: 5 } });
    await new Queue({ key: 'work' }).push({ body: { tag: 'chain', pushTo: 'work', chainDepth: 0 } });
    await runtime.runUntilIdle();
    const chain = deliveries().map((d) => [d.event.body as { chainDepth: number }, d.pushError] as const);
    // The initial push and four pushes by consumers make five requests; the fifth consumer's push is one too many.
    expect(chain.map(([body]) => body.chainDepth)).toEqual([0, 1, 2, 3, 4]);
    expect(chain.map(([, error]) => error)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'InvocationLimitReachedError',
    ]);
    // A push from outside the chain starts a new one.
    await expect(new Queue({ key: 'work' }).push({ body: { tag: 'fresh' } })).resolves.toHaveProperty(
      'jobId',
    );
    expect(InvocationLimitReachedError.name).toBe('InvocationLimitReachedError');
  });
});
