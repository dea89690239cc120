// enqueue: the producers' one door. Refuses bad input with nothing pushed, packs commands into
// few events, retries pushes within bounds, and names every command it could not enqueue.
import { InternalServerError, PartialSuccessError, RateLimitError, type PushEvent } from '@forge/events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { envelopeFor, recordActivity, startApp } from './harness.js';
import { issueWriter, type IssueEnvelope } from '../../src/shared/issue-data/issue-writer.js';
import { CommandValidationError, EnqueueError } from '../../src/shared/writer/index.js';
import { MAX_EVENTS_PER_PUSH, packEvents as packWriterEvents } from '../../src/shared/writer/enqueue.js';
import type { CommandEventBody } from '../../src/shared/writer/event-body.js';

const { maxEnvelopeBytes: MAX_ENVELOPE_BYTES } = issueWriter.config.limits;
const packEvents = (commands: IssueEnvelope[], options?: Parameters<typeof packWriterEvents>[2]) =>
  packWriterEvents(issueWriter.config, commands, options);

/** A stand-in queue that records pushes and fails as scripted, to test the retry rules exactly. */
function scriptedQueue(failures: Array<(events: PushEvent[]) => Error | undefined>) {
  const pushes: PushEvent[][] = [];
  return {
    pushes,
    push: async (events: PushEvent | PushEvent[]) => {
      const list = Array.isArray(events) ? events : [events];
      pushes.push(list);
      const error = failures.shift()?.(list);
      if (error) throw error;
      return { jobId: `job-${pushes.length}` };
    },
  };
}

const idsIn = (events: PushEvent[]) =>
  events.flatMap((e) => (e.body as unknown as CommandEventBody).commands.map((c) => c.commandId));

describe('enqueue validation', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('refuses bad envelopes, unknown command types and oversized payloads, and pushes nothing', async () => {
    rt = await startApp();
    const good = recordActivity('10001');
    const cases: unknown[] = [
      { ...good, issueId: 'not-a-number' },
      { ...good, type: 'checklist.explode' },
      { ...good, payload: { kind: 'updated', at: -1 } },
      envelopeFor('10001', { type: 'checklist.add', payload: { itemId: 'a', text: 'x'.repeat(501) } }),
    ];
    const huge = {
      ...good,
      commandId: 'cmd-huge-0001',
      type: 'report.metrics',
      payload: {
        reportKind: 'k',
        runId: 'r',
        computedAt: 1,
        transitions: 1,
        timeInStatusMs: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`status-${i}`, i])),
      },
    };
    for (const bad of [...cases, huge]) {
      const error = await rt
        .runAsApp(() => issueWriter.enqueue([good, bad as IssueEnvelope]))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommandValidationError);
      expect((error as CommandValidationError).problems[0]).toMatchObject({ index: 1 });
    }
    const oversized = await rt
      .runAsApp(() => issueWriter.enqueue([huge as IssueEnvelope]))
      .catch((e: unknown) => e);
    expect((oversized as Error).message).toContain(`the limit is ${MAX_ENVELOPE_BYTES}`);
    expect(rt.metered()['events.pushRequests']).toBe(0);
  });

  it('refuses one id used for two different commands', async () => {
    const a = recordActivity('10001');
    const b = { ...recordActivity('10001'), commandId: a.commandId, issuedAt: a.issuedAt + 1 };
    await expect(issueWriter.enqueue([a, b], { queue: scriptedQueue([]) })).rejects.toThrow('used twice');
  });

  it('never pushes anything for arbitrary junk', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.anything(), { minLength: 1, maxLength: 5 }), async (junk) => {
        const queue = scriptedQueue([]);
        await expect(issueWriter.enqueue(junk as IssueEnvelope[], { queue })).rejects.toBeInstanceOf(
          CommandValidationError,
        );
        expect(queue.pushes).toHaveLength(0);
      }),
      { seed: 3, numRuns: 200 },
    );
  });
});

describe('enqueue packing', () => {
  it('puts one issue in one event with its concurrency key', () => {
    const events = packEvents([recordActivity('1'), recordActivity('1'), recordActivity('2')]);
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.concurrency)).toEqual([
      { key: 'issue-1', limit: 1 },
      { key: 'issue-2', limit: 1 },
    ]);
  });

  it('packs fan-out work for many issues into few events without a per-issue key', () => {
    const commands = Array.from({ length: 1000 }, (_, i) => recordActivity(String(50000 + i)));
    const events = packEvents(commands, { packing: 'fan-out' });
    expect(events).toHaveLength(Math.ceil(1000 / 240));
    expect(events.every((e) => e.concurrency === undefined)).toBe(true);
    expect(idsIn(events)).toEqual(commands.map((c) => c.commandId));
  });

  it('splits pushes at 50 events and keeps each push under 200 KB', async () => {
    const queue = scriptedQueue([]);
    const commands = Array.from({ length: 120 }, (_, i) => recordActivity(String(60000 + i)));
    const result = await issueWriter.enqueue(commands, { queue });
    expect(result).toMatchObject({ events: 120, pushes: 3 });
    expect(queue.pushes.map((p) => p.length)).toEqual([MAX_EVENTS_PER_PUSH, MAX_EVENTS_PER_PUSH, 20]);
    for (const push of queue.pushes) expect(Buffer.byteLength(JSON.stringify(push))).toBeLessThan(200 * 1024);
  });
});

describe('enqueue retries', () => {
  const cmds = () => [recordActivity('1'), recordActivity('2'), recordActivity('3')];

  it('retries a rate-limited or failing push and succeeds', async () => {
    const queue = scriptedQueue([
      () => new RateLimitError('slow down'),
      () => new InternalServerError('boom', 500),
    ]);
    const commands = cmds();
    await expect(issueWriter.enqueue(commands, { queue })).resolves.toMatchObject({
      commandIds: commands.map((c) => c.commandId),
    });
    expect(queue.pushes).toHaveLength(3);
  });

  it('re-sends only the events a partial success refused', async () => {
    const queue = scriptedQueue([
      (events) => {
        const error = new PartialSuccessError('partial', { jobId: 'j' }, []);
        // @forge/events fills `payload` at run time, though its types say `event`.
        (error as unknown as { failedEvents: unknown[] }).failedEvents = [
          { errorMessage: 'no', payload: events[1] },
        ];
        return error;
      },
    ]);
    const commands = cmds();
    await issueWriter.enqueue(commands, { queue });
    expect(queue.pushes.map(idsIn)).toEqual([commands.map((c) => c.commandId), [commands[1]!.commandId]]);
  });

  it('sends nothing again when a partial success names no failed event', async () => {
    // Whether Forge ever answers so is not documented: nothing is named failed, so all went.
    const queue = scriptedQueue([() => new PartialSuccessError('partial', { jobId: 'j' }, [])]);
    const commands = cmds();
    await expect(issueWriter.enqueue(commands, { queue })).resolves.toMatchObject({
      commandIds: commands.map((c) => c.commandId),
    });
    expect(queue.pushes).toHaveLength(1);
  });

  it('gives up after bounded attempts and names every command not enqueued', async () => {
    const queue = scriptedQueue(Array.from({ length: 10 }, () => () => new InternalServerError('down', 500)));
    const commands = cmds();
    const error = await issueWriter.enqueue(commands, { queue }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnqueueError);
    expect((error as EnqueueError).notEnqueued.sort()).toEqual(commands.map((c) => c.commandId).sort());
    expect((error as EnqueueError).enqueued).toEqual([]);
    expect(queue.pushes).toHaveLength(4);
  });

  it('against the runtime, a push that keeps failing surfaces as EnqueueError with the ids', async () => {
    const rt = await startApp({ faults: { push: { serverError: 1 } } });
    try {
      const envelope = await rt.runAsApp(async () =>
        issueWriter.command(
          '10001',
          { type: 'activity.record', payload: { kind: 'created', at: 1 } },
          { source: 'jira-webhook' },
        ),
      );
      const error = await rt.runAsApp(() => issueWriter.enqueue([envelope])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnqueueError);
      expect((error as EnqueueError).notEnqueued).toEqual([envelope.commandId]);
      expect(rt.metered()['events.pushed']).toBe(0);
    } finally {
      await rt.close();
    }
  });
});
