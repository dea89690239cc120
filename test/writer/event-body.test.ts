// What the consumer reads from a queue event: its commands, each parsed on its own (one bad command
// does not spoil the others), what could not be read and where, and the replay and coalesce flags.
import { describe, expect, it } from 'vitest';
import { parseCommandEvent } from '../../src/shared/writer/event-body.js';
import { add, counter } from './counter-writer.js';

const config = counter.config;

describe('reading a queue event', () => {
  it('sets aside an event that is not a command event as a whole, saying why', () => {
    const cases: Array<[unknown, string]> = [
      [null, 'Invalid input: expected object, received null'],
      ['text', 'Invalid input: expected object, received string'],
      [{ v: 2, commands: [add('t1', 1, 'cmd-body-1')] }, 'Invalid input: expected 1'],
      [{ v: 1, commands: [] }, 'Too small: expected array to have >=1 items'],
      [{}, 'Invalid input: expected 1'],
    ];
    for (const [raw, why] of cases) {
      const parsed = parseCommandEvent(config, raw);
      expect(parsed).toMatchObject({ commands: [], replay: false, coalesce: false });
      expect(parsed.malformed).toEqual([{ index: -1, reason: `not a command event: ${why}`, raw }]);
    }
  });

  it('keeps every readable command and names the position of each unreadable one', () => {
    const good = add('t1', 1, 'cmd-body-1');
    const bad = { ...add('t1', 1, 'cmd-body-2'), payload: { by: 'one' } };
    const old = { ...add('t2', 2, 'cmd-body-3'), schemaVersion: 1 };
    const parsed = parseCommandEvent(config, { v: 1, commands: [good, bad, old] });
    expect(parsed.commands).toEqual([good, { ...old, schemaVersion: 2 }]);
    expect(parsed.malformed).toEqual([
      { index: 1, reason: expect.stringMatching(/^invalid command: payload\.by: /), raw: bad },
    ]);
    expect(parsed).toMatchObject({ replay: false, coalesce: false });
  });

  it('reads the replay and coalesce flags, and never coalesces a replay', () => {
    const commands = [add('t1', 1, 'cmd-body-1')];
    expect(parseCommandEvent(config, { v: 1, commands, coalesce: true })).toMatchObject({
      replay: false,
      coalesce: true,
    });
    expect(parseCommandEvent(config, { v: 1, commands, replay: true })).toMatchObject({
      replay: true,
      coalesce: false,
    });
    expect(parseCommandEvent(config, { v: 1, commands, replay: true, coalesce: true })).toMatchObject({
      replay: true,
      coalesce: false,
    });
  });
});
