// Latency models from JSON (`npm start --latency <file>`): a partial model is accepted, and a
// wrong field is refused with a message that names it.
import { describe, expect, it } from 'vitest';
import { LATENCY_PRESETS, parseLatencyModel, ZERO_LATENCY } from '../../local-runtime/kernel/latency.js';

describe('parseLatencyModel', () => {
  it('takes any subset of the fields, as numbers or [min, max]', () => {
    expect(parseLatencyModel({})).toEqual({});
    expect(parseLatencyModel({ delivery: [500, 2000], jira: 100, kvsRead: [5, 5] })).toEqual({
      delivery: [500, 2000],
      jira: 100,
      kvsRead: [5, 5],
    });
  });

  it.each([
    [[], /JSON object/],
    [null, /JSON object/],
    [{ deliver: 5 }, /unknown field 'deliver'; the fields are kvsRead, kvsWrite, push, delivery, jira/],
    [{ push: -1 }, /'push' must be milliseconds/],
    [{ push: '40' }, /'push' must be milliseconds/],
    [{ delivery: [2000, 500] }, /'delivery' must be .*min <= max; got \[2000,500\]/],
    [{ delivery: [1, 2, 3] }, /'delivery' must be/],
    [{ jira: Number.POSITIVE_INFINITY }, /'jira' must be/],
  ])('refuses %j', (value, message) => {
    expect(() => parseLatencyModel(value)).toThrow(message);
  });

  it('has a zero model and a realistic one with every field', () => {
    expect(LATENCY_PRESETS.none).toBe(ZERO_LATENCY);
    expect(parseLatencyModel(LATENCY_PRESETS.realistic)).toEqual(LATENCY_PRESETS.realistic);
    expect(Object.keys(LATENCY_PRESETS.realistic).sort()).toEqual(Object.keys(ZERO_LATENCY).sort());
  });
});
