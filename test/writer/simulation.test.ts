// The short version of `npm run sim`: 200 seeded runs with faults on, every invariant checked.
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../sim/run-seed.js';

describe('deterministic simulation', () => {
  it('holds every invariant over 200 seeds', async () => {
    let commands = 0;
    const violations = [];
    for (let seed = 1; seed <= 200; seed++) {
      const result = await runSeed(seed);
      commands += result.commands;
      violations.push(...result.violations);
    }
    expect(violations).toEqual([]);
    expect(commands).toBeGreaterThan(2000);
  }, 300_000);

  it('replays a seed to the same result', async () => {
    expect(await runSeed(77)).toEqual(await runSeed(77));
  });
});
