// Jobs: `queue.getJob(jobId).getStats()` and `cancel()` through the real `@forge/events` client.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobDoesNotExistError, Queue } from '@forge/events';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';
import { EVENTS_APP_DIR, deliveries, resetDeliveries } from '../fixtures/events-app/harness.js';

let rt: LocalForgeRuntime | undefined;

async function start(options: RuntimeOptions = {}): Promise<LocalForgeRuntime> {
  rt = await createRuntime({ appDir: EVENTS_APP_DIR, seed: 9, ...options });
  return rt;
}

beforeEach(() => resetDeliveries());
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

describe('job stats', () => {
  it('counts events in progress, succeeded and dropped', async () => {
    const runtime = await start({ events: { retentionMs: 120_000 } });
    const work = new Queue({ key: 'work' });
    const { jobId } = await work.push([
      { body: { tag: 'ok-1' } },
      { body: { tag: 'ok-2' } },
      { body: { tag: 'doomed', alwaysThrow: true } },
      { body: { tag: 'slow', sleepMs: 10_000 } },
      { body: { tag: 'later' }, delayInSeconds: 60 },
    ]);
    const job = work.getJob(jobId);
    expect(await job.getStats()).toEqual({ success: 0, inProgress: 5, failed: 0 });
    await runtime.advance(1_000);
    expect(await job.getStats()).toEqual({ success: 2, inProgress: 3, failed: 0 });
    await runtime.advance(10_000);
    expect(await job.getStats()).toEqual({ success: 3, inProgress: 2, failed: 0 });
    await runtime.runUntilIdle();
    expect(await job.getStats()).toEqual({ success: 4, inProgress: 0, failed: 1 });
    expect(await work.getStats(jobId)).toEqual({ success: 4, inProgress: 0, failed: 1 });
    expect(runtime.events.jobStats(jobId)).toEqual({ success: 4, inProgress: 0, failed: 1 });
  });

  it('keeps jobs apart', async () => {
    const runtime = await start();
    const work = new Queue({ key: 'work' });
    const a = await work.push([{ body: { tag: 'a1' } }, { body: { tag: 'a2' } }]);
    const b = await work.push({ body: { tag: 'b1' }, delayInSeconds: 100 });
    await runtime.advance(1_000);
    expect(await work.getStats(a.jobId)).toEqual({ success: 2, inProgress: 0, failed: 0 });
    expect(await work.getStats(b.jobId)).toEqual({ success: 0, inProgress: 1, failed: 0 });
    expect(runtime.events.jobs().map((j) => [j.jobId, j.queueName])).toEqual([
      [a.jobId, 'work'],
      [b.jobId, 'work'],
    ]);
  });

  it('answers JobDoesNotExistError for an unknown job, a job of another queue, and a refused push', async () => {
    await start({ faults: { push: { serverError: 1 } } });
    const work = new Queue({ key: 'work' });
    await expect(work.getJob('no-such-job').getStats()).rejects.toBeInstanceOf(JobDoesNotExistError);
    await expect(work.getJob('no-such-job').cancel()).rejects.toBeInstanceOf(JobDoesNotExistError);
    await expect(work.push({ body: {} })).rejects.toThrow();
    expect(rt!.events.jobs()).toEqual([]);
  });

  it('finds a job only under its own queue', async () => {
    await start();
    const { jobId } = await new Queue({ key: 'work' }).push({ body: { tag: 'x' } });
    await expect(new Queue({ key: 'other-work' }).getJob(jobId).getStats()).rejects.toBeInstanceOf(
      JobDoesNotExistError,
    );
    await expect(new Queue({ key: 'work' }).getJob(jobId).getStats()).resolves.toBeDefined();
  });
});

describe('cancel', () => {
  it("skips the job's events not yet started, lets a running one finish, and leaves other jobs alone", async () => {
    const runtime = await start();
    const work = new Queue({ key: 'work' });
    const { jobId } = await work.push([
      { body: { tag: 'running', sleepMs: 5_000 } },
      ...Array.from({ length: 4 }, (_, i) => ({ body: { tag: `delayed-${i}` }, delayInSeconds: 60 })),
    ]);
    const other = await work.push({ body: { tag: 'other-job' }, delayInSeconds: 60 });
    await runtime.advance(1_000);
    expect(
      runtime.events
        .snapshot()
        .filter((e) => e.jobId === jobId)
        .map((e) => e.state),
    ).toEqual(['in-flight', 'scheduled', 'scheduled', 'scheduled', 'scheduled']);
    await work.cancel(jobId);
    expect(runtime.metered()['events.cancelled']).toBe(4);
    await runtime.runUntilIdle();
    expect(deliveries().map((d) => d.tag)).toEqual(['running', 'other-job']);
    expect(deliveries()[0]!.endedAt! - deliveries()[0]!.startedAt).toBe(5_000);
    expect(await work.getStats(jobId)).toEqual({ success: 1, inProgress: 0, failed: 0 });
    expect(await work.getStats(other.jobId)).toEqual({ success: 1, inProgress: 0, failed: 0 });
    // Cancelling again is harmless.
    await expect(work.cancel(jobId)).resolves.toBeUndefined();
  });

  it('stops a retrying event: its next attempt never comes', async () => {
    const runtime = await start();
    const work = new Queue({ key: 'work' });
    const { jobId } = await work.push({ body: { tag: 'retrying', alwaysRetry: true, retryAfter: 60 } });
    await runtime.advance(90_000);
    expect(deliveries()).toHaveLength(2);
    expect(runtime.events.snapshot()).toMatchObject([{ state: 'retrying', retryCount: 2 }]);
    await work.cancel(jobId);
    await runtime.runUntilIdle();
    expect(deliveries()).toHaveLength(2);
    expect(runtime.events.pending()).toBe(0);
    expect(await work.getStats(jobId)).toEqual({ success: 0, inProgress: 0, failed: 0 });
  });
});
