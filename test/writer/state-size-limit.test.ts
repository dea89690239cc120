// The size limit applyEnvelope enforces is on the record as stored (partition id, version, commit
// stamp and state), to the byte: a command whose record would be exactly `maxStateBytes` applies,
// one byte more is refused with the sizes named. docs/writer.md, "Bounded state".
import { describe, expect, it } from 'vitest';
import { defineWriter } from '../../src/shared/writer/index.js';
import { applyEnvelope } from '../../src/shared/writer/apply.js';
import { add, counterDefinition } from './counter-writer.js';

describe('the state size limit', () => {
  // Version 10 after the command (one digit wider than before it), state { total: 12 }, and a
  // 13-digit commit stamp like any real one.
  const stored = { teamId: 't1', version: 10, updatedAt: 1_764_000_000_000, state: { total: 12 } };
  const size = Buffer.byteLength(JSON.stringify(stored));
  const applyWithLimit = (maxStateBytes: number) =>
    applyEnvelope(
      defineWriter({ ...counterDefinition, limits: { maxStateBytes } }).config,
      { total: 5 },
      add('t1', 7, 'command-1'),
      9,
    );

  it('applies a command whose record is exactly the limit, and refuses one byte over it', () => {
    expect(applyWithLimit(size)).toEqual({ ok: true, state: { total: 12 } });
    expect(applyWithLimit(size - 1)).toEqual({
      ok: false,
      reason: `the team's data would be ${size} bytes, over its limit of ${size - 1}`,
    });
  });
});
