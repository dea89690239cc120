// enqueue's own edges, against a queue that answers as told (no runtime): what it refuses before
// pushing, how it fills events and pushes to Forge's limits (counted in bytes, to the byte), and
// which push failures it retries, how often, and what it reports. docs/writer.md, "Enqueue".
import { InternalServerError, RateLimitError } from '@forge/events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  CommandValidationError,
  defineWriter,
  EnqueueError,
  type AnyEnvelope,
} from '../../src/shared/writer/index.js';
import {
  enqueue as enqueueCommands,
  MAX_EVENT_BYTES,
  MAX_EVENTS_PER_PUSH,
  MAX_PUSH_BYTES,
  packEvents,
} from '../../src/shared/writer/enqueue.js';
import { add, counterDefinition } from './counter-writer.js';

type Pushed = Array<{ body: { commands: AnyEnvelope[] } }>;

/** A queue that records each push and answers with `answers[n]` (an error to throw) for push n. */
function queue(answers: unknown[] = []) {
  const pushes: Pushed[] = [];
  /** The events as pushed, the same objects (a partial success names failed events by them). */
  const sent: unknown[][] = [];
  return {
    pushes,
    sent,
    push: vi.fn(async (events: unknown) => {
      sent.push(events as unknown[]);
      pushes.push(structuredClone(events) as Pushed);
      const answer = answers[pushes.length - 1];
      if (answer !== undefined) throw answer;
    }),
  };
}

const counter = defineWriter({ ...counterDefinition, limits: { maxEnvelopeBytes: 300 } });
const enqueue = (commands: unknown, q = queue(), options = {}) =>
  enqueueCommands(counter.config, commands as unknown[], { queue: q as never, coalesce: false, ...options });
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('enqueue, before pushing', () => {
  it('refuses no commands, or something that is not a list, naming it', async () => {
    for (const nothing of [[], 'x']) {
      const error = await enqueue(nothing as unknown[]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommandValidationError);
      expect((error as CommandValidationError).problems).toEqual([
        { index: -1, issues: [], reason: 'no commands given' },
      ]);
    }
  });

  it('accepts a command of exactly the size limit, and refuses one byte more', async () => {
    const sized = (size: number) => {
      const cmd = add('t1', 1, 'cmd-size');
      return { ...cmd, teamId: 't'.repeat(size - bytes({ ...cmd, teamId: '' })) };
    };
    expect(bytes(sized(300))).toBe(300);
    const q = queue();
    await enqueue([sized(300)], q);
    expect(q.pushes).toHaveLength(1);
    const error = (await enqueue([sized(301)]).catch((e: unknown) => e)) as CommandValidationError;
    expect(error.problems[0]!.reason).toBe('command is 301 bytes, the limit is 300');
  });

  it('pushes a command sent twice once, and refuses an id used for two different commands', async () => {
    const q = queue();
    const result = await enqueue([add('t1', 1, 'command-a'), add('t1', 1, 'command-a')], q);
    expect(result.commandIds).toEqual(['command-a']);
    expect(q.pushes[0]![0]!.body.commands).toHaveLength(1);
    const error = (await enqueue([add('t1', 1, 'command-b'), add('t1', 2, 'command-b')]).catch(
      (e: unknown) => e,
    )) as CommandValidationError;
    expect(error.problems).toEqual([
      { index: 1, issues: [], reason: 'command id command-b is used twice for different commands' },
    ]);
  });
});

describe('packing', () => {
  const layout = counter.config;

  it('fills an event to the command limit, and to exactly its byte limit', () => {
    const seven = Array.from({ length: 7 }, (_, i) => add('t1', 1, `command-${i}`));
    expect(packEvents(layout, seven, { maxCommandsPerEvent: 3 }).map((e) => e.body['commands'])).toEqual([
      seven.slice(0, 3),
      seven.slice(3, 6),
      seven.slice(6),
    ]);
    // Two commands whose encodings (each plus one byte) add up to the limit share an event.
    const big = (id: string, size: number) => {
      const cmd = add('t1', 1, id);
      return {
        ...cmd,
        payload: { by: 1, note: 'n'.repeat(size - 1 - bytes({ ...cmd, payload: { by: 1, note: '' } })) },
      };
    };
    const half = MAX_EVENT_BYTES / 2;
    const fits = [big('a', half), big('b', half)];
    expect(fits.map((c) => bytes(c) + 1)).toEqual([half, half]);
    expect(packEvents(layout, fits as AnyEnvelope[])).toHaveLength(1);
    expect(packEvents(layout, [big('a', half), big('b', half + 1)] as AnyEnvelope[])).toHaveLength(2);
  });

  it(`pushes at most ${MAX_EVENTS_PER_PUSH} events at a time`, async () => {
    const q = queue();
    const commands = Array.from({ length: MAX_EVENTS_PER_PUSH + 1 }, (_, i) =>
      add(`t${i}`, 1, `command-${i}`),
    );
    const result = await enqueue(commands, q);
    expect(result).toMatchObject({ events: MAX_EVENTS_PER_PUSH + 1, pushes: 2 });
    expect(q.pushes.map((p) => p.length)).toEqual([MAX_EVENTS_PER_PUSH, 1]);
    const exact = queue();
    await enqueue(commands.slice(0, MAX_EVENTS_PER_PUSH), exact);
    expect(exact.pushes.map((p) => p.length)).toEqual([MAX_EVENTS_PER_PUSH]);
  });
});

describe('enqueue, filling pushes', () => {
  // Commands with room for a note, up to a whole event each, so two events can fill a push.
  const noted = defineWriter({
    ...counterDefinition,
    commands: z.object({
      type: z.literal('count.add'),
      payload: z.object({ by: z.number().int(), note: z.string() }),
    }),
    limits: { maxEnvelopeBytes: MAX_EVENT_BYTES - 1 },
  });
  const note = (team: string, id: string, length: number) => ({
    ...add(team, 1, id),
    payload: { by: 1, note: 'n'.repeat(length) },
  });
  /** The push body's size in bytes, as Forge counts it: the JSON list of the events. */
  const pushBytes = (commands: AnyEnvelope[]) =>
    bytes(packEvents(noted.config, commands, { coalesce: false }));

  it('fills a push to exactly its byte limit, and starts another one byte past it', async () => {
    const pair = (extra: number) => [
      note('t1', 'command-1', 99_000),
      note('t2', 'command-2', 99_000 + extra),
    ];
    const exact = MAX_PUSH_BYTES - pushBytes(pair(0));
    expect(pushBytes(pair(exact))).toBe(MAX_PUSH_BYTES);
    for (const [extra, pushes] of [
      [exact, [2]],
      [exact + 1, [1, 1]],
    ] as const) {
      const q = queue();
      await enqueueCommands(noted.config, pair(extra), { queue: q as never, coalesce: false });
      expect(q.pushes.map((p) => p.length)).toEqual(pushes);
    }
  });
});

describe('pushing', () => {
  afterEach(() => vi.restoreAllMocks());
  const two = () => [add('t1', 1, 'command-1'), add('t2', 1, 'command-2')];

  it('retries a rate limit or a server error, waiting between tries only', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const q = queue([new InternalServerError('boom', 500)]);
    await enqueue(two(), q);
    expect(q.pushes).toHaveLength(2);
    expect(timers).toHaveBeenCalledTimes(1);

    timers.mockClear();
    const limited = queue([new RateLimitError('slow down')]);
    await enqueue(two(), limited);
    expect(limited.pushes).toHaveLength(2);
    expect(timers).toHaveBeenCalledTimes(1);
    // The rate-limited wait starts at 500 ms, the server-error one at 100 ms.
    expect(timers.mock.calls[0]![1]).toBeGreaterThanOrEqual(500);
  });

  it('gives up after 4 tries, with no wait after the last, and names what was not enqueued', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const errors = Array.from({ length: 4 }, () => new InternalServerError('down', 503));
    const q = queue(errors);
    const error = (await enqueue(two(), q).catch((e: unknown) => e)) as EnqueueError;
    expect(error).toBeInstanceOf(EnqueueError);
    expect(error.notEnqueued).toEqual(['command-1', 'command-2']);
    expect(error.enqueued).toEqual([]);
    expect(error.message).toBe('2 command(s) were not enqueued: down');
    expect(q.pushes).toHaveLength(4);
    expect(timers).toHaveBeenCalledTimes(3);
  });

  it("names the failed push's error, even when a later push succeeds", async () => {
    const commands = Array.from({ length: MAX_EVENTS_PER_PUSH + 1 }, (_, i) =>
      add(`t${i}`, 1, `command-${i}`),
    );
    const q = queue([new Error('invocation limit reached')]);
    const error = (await enqueue(commands, q).catch((e: unknown) => e)) as EnqueueError;
    expect(q.pushes.map((p) => p.length)).toEqual([MAX_EVENTS_PER_PUSH, 1]);
    expect(error.message).toBe(
      `${MAX_EVENTS_PER_PUSH} command(s) were not enqueued: invocation limit reached`,
    );
    expect(error.enqueued).toEqual([`command-${MAX_EVENTS_PER_PUSH}`]);
  });

  it('does not retry what retrying cannot fix', async () => {
    const q = queue([new Error('payload too big')]);
    const error = (await enqueue(two(), q).catch((e: unknown) => e)) as EnqueueError;
    expect(q.pushes).toHaveLength(1);
    expect(error.notEnqueued).toEqual(['command-1', 'command-2']);
  });
});
