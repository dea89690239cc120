// What `enqueue` throws, as a caller catches it (no runtime: a queue that answers as told): a
// CommandValidationError naming each invalid command and, for a schema mismatch, up to five of
// zod's issues by path; an EnqueueError naming the commands not enqueued, with the push's error as
// its cause. Both are WriterErrors that say whether trying again can help. docs/writer/errors.md.
import { describe, expect, it } from 'vitest';
import { CommandValidationError, EnqueueError, WriterError } from '../../src/shared/writer/index.js';
import { add, counter } from './counter-writer.js';

/** What enqueueing through the counter writer throws, to a queue that refuses every push with `refusal`. */
const enqueue = (commands: unknown[], refusal?: unknown) =>
  counter
    .enqueue(commands as never, { queue: { push: () => Promise.reject(refusal) } as never })
    .catch((e: unknown) => e);

describe('errors thrown by enqueue', () => {
  it('refuses invalid commands for good, naming each one and what is wrong with it', async () => {
    const wrong = { ...add('t1', 1, 'command-1'), payload: { by: 1.5 }, source: 3 };
    const error = (await enqueue([wrong, 'just text', add('t1', 1, 'command-2')])) as CommandValidationError;
    expect(error).toBeInstanceOf(WriterError);
    expect(error).toMatchObject({
      name: 'CommandValidationError',
      code: 'invalid-command',
      retryable: false,
    });
    expect(error.message).toBe(
      'refused 2 invalid command(s): #0: source: Invalid input; payload.by: Invalid input: expected int, received number' +
        ' | #1: (root): Invalid input: expected object, received string; (root): Invalid input: expected object, received string',
    );
  });

  it('names at most five of the issues of a command, keeping them all in its problem', async () => {
    const error = (await enqueue([{}])) as CommandValidationError;
    const [problem] = error.problems;
    expect(problem!.issues.map((i) => i.path.join('.'))).toEqual([
      'schemaVersion',
      'commandId',
      'teamId',
      'issuedAt',
      'source',
      'type',
      'payload',
    ]);
    expect(problem!.reason.split('; ').map((part) => part.split(':')[0])).toEqual([
      'schemaVersion',
      'commandId',
      'teamId',
      'issuedAt',
      'source',
    ]);
    expect(error.message).toBe(`refused 1 invalid command(s): #0: ${problem!.reason}`);
  });

  it('says a push that failed may succeed later, naming what was not enqueued and why', async () => {
    const refusal = new Error('invocation limit reached');
    const error = (await enqueue(
      [add('t1', 1, 'command-1'), add('t2', 1, 'command-2')],
      refusal,
    )) as EnqueueError;
    expect(error).toBeInstanceOf(WriterError);
    expect(error).toMatchObject({
      name: 'EnqueueError',
      code: 'not-enqueued',
      retryable: true,
      message: '2 command(s) were not enqueued: invocation limit reached',
      notEnqueued: ['command-1', 'command-2'],
      enqueued: [],
    });
    expect(error.cause).toBe(refusal);
  });
});
