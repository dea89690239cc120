// The short version of `npm run sim`: seeded runs with faults on, every invariant checked, on the
// app's sources and on the bundle Forge's bundler made of them (`npm run bundle`, run by pretest).
import { describe, expect, it } from 'vitest';
import { PLATFORM_PROFILES, type PlatformProfileName } from '../../local-runtime/index.js';
import { runSeed } from '../../sim/run-seed.js';
import { addShapes, noShapes, SHAPES } from '../../sim/shapes.js';

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

  it('exhibits every shape of a real site in seeds 2, 16, 29 and 53 (counted from what happened)', async () => {
    // Many issues with one hot, fan-outs over 25 issues, events of more than 24 commands racing,
    // a record near the size limit, retries for over an hour, replays while faults are on, and
    // the concurrency key on and off (docs/simulation.md, "Shapes").
    const shapes = noShapes();
    const violations = [];
    for (const seed of [2, 16, 29, 53]) {
      const result = await runSeed(seed);
      addShapes(shapes, result.shapes);
      violations.push(...result.violations);
    }
    expect(violations).toEqual([]);
    expect(SHAPES.filter((s) => s !== 'refused-for-size' && shapes[s] === 0)).toEqual([]);
  }, 120_000);

  it('replays a seed to the same result', async () => {
    expect(await runSeed(77)).toEqual(await runSeed(77));
  });
});

describe('deterministic simulation under every platform profile', () => {
  // Where Forge's docs are silent (the error of a failed condition, conditions on missing keys,
  // query pages, TTL on overwrite), every plausible answer: the invariants hold under each.
  it.each(Object.keys(PLATFORM_PROFILES) as PlatformProfileName[])(
    'holds every invariant under %s',
    async (profile) => {
      const violations = [];
      let commands = 0;
      for (let seed = 3001; seed <= 3012; seed++) {
        const result = await runSeed(seed, { profile });
        commands += result.commands;
        violations.push(...result.violations);
      }
      expect(violations).toEqual([]);
      expect(commands).toBeGreaterThan(300);
    },
    300_000,
  );
});

describe('deterministic simulation of a second domain on the same core', () => {
  it('holds every invariant over 150 seeds of approval requests (test/fixtures/approvals-app)', async () => {
    let commands = 0;
    let rejected = 0;
    const violations = [];
    for (let seed = 1; seed <= 150; seed++) {
      const result = await runSeed(seed, { domain: 'approvals' });
      commands += result.commands;
      rejected += result.rejected;
      violations.push(...result.violations);
    }
    expect(violations).toEqual([]);
    expect(commands).toBeGreaterThan(3000);
    expect(rejected).toBeGreaterThan(0);
  }, 300_000);
});

describe('deterministic simulation on the Forge bundle', () => {
  it('holds every invariant over 50 seeds run from .forge-bundle/', async () => {
    let commands = 0;
    const violations = [];
    for (let seed = 1001; seed <= 1050; seed++) {
      const result = await runSeed(seed, { handlers: 'bundle' });
      commands += result.commands;
      violations.push(...result.violations);
    }
    expect(violations).toEqual([]);
    expect(commands).toBeGreaterThan(500);
  }, 300_000);

  it('gives a byte-identical trace from the sources and from the bundle', async () => {
    const fromSource = await runSeed(7, { trace: true });
    const fromBundle = await runSeed(7, { trace: true, handlers: 'bundle' });
    expect(fromSource.trace!.length).toBeGreaterThan(10_000);
    expect(fromBundle.trace).toBe(fromSource.trace);
    expect(fromBundle).toEqual(fromSource);
  });
});
