// The simulation must catch the classic mutants of the writer (sim/classic-mutants.ts): each runs
// on its recorded seeds in a mutated copy of the repository and must break an invariant there,
// while the unmutated copy holds every invariant on the same seeds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSIC_MUTANTS, type ClassicMutant } from '../../sim/classic-mutants.js';
import type { MutantSeedResult } from '../../sim/mutant-seeds.js';
import {
  applyEdit,
  createWorkspace,
  MutantNoLongerApplies,
  runMutants,
  type MutantRun,
} from '../../sim/mutant-workspace.js';

const domainOf = (m: ClassicMutant) => m.domain ?? 'issues';
const caught = CLASSIC_MUTANTS.filter((m) => m.seeds.length > 0);
const domains = [...new Set(caught.map(domainOf))];
const runs: MutantRun[] = [
  ...caught.map((mutant) => ({ mutant, domain: domainOf(mutant), seeds: mutant.seeds })),
  ...domains.map((domain) => ({
    domain,
    seeds: [...new Set(caught.filter((m) => domainOf(m) === domain).flatMap((m) => m.seeds))],
  })),
];
const results = new Map<MutantRun, MutantSeedResult[] | Error>();

describe('the simulation catches each classic mutant of the writer', () => {
  beforeAll(async () => {
    // One child process per mutant with all its seeds, two at a time (the machine has 2 cores).
    const all = await runMutants(runs, 2);
    runs.forEach((run, i) => results.set(run, all[i]!));
  }, 300_000);

  const cases = caught.flatMap((mutant) => mutant.seeds.map((seed) => ({ mutant, seed })));
  it.each(
    cases.map((c) => [c.mutant.name, c.seed, domainOf(c.mutant), c.mutant.caughtBy.join(', '), c] as const),
  )('%s is caught at seed %i of %s (%s)', (_name, seed, _domain, _invariants, { mutant }) => {
    const ran = results.get(runs.find((r) => r.mutant === mutant)!)!;
    if (ran instanceof Error) throw ran; // e.g. the mutant no longer applies to the code
    const result = ran.find((r) => r.seed === seed);
    expect(result, `seed ${seed} was not run`).toBeDefined();
    const broken = [...new Set(result!.violations.map((v) => v.invariant))];
    // If the simulation's workload changed, the seeds may no longer catch it: search again with
    // `npm run mutants -- --mutant <name> --search 300` and record the new ones.
    expect(
      broken.filter((i) => mutant.caughtBy.includes(i)),
      `broken: ${broken.join(', ') || 'none'}`,
    ).not.toEqual([]);
  });

  it.each(domains)('the unmutated copy holds every invariant on the same seeds (%s)', (domain) => {
    const run = runs.find((r) => r.mutant === undefined && r.domain === domain)!;
    const ran = results.get(run)!;
    if (ran instanceof Error) throw ran;
    expect(ran.map((r) => r.seed).sort((a, b) => a - b)).toEqual([...run.seeds].sort((a, b) => a - b));
    expect(ran.flatMap((r) => r.violations)).toEqual([]);
    expect(ran.reduce((sum, r) => sum + r.commands, 0)).toBeGreaterThan(0);
  });
});

describe('the catalogue of classic mutants', () => {
  it('names each mutant once, each with the seeds and invariants that catch it, or why none do', () => {
    expect(new Set(CLASSIC_MUTANTS.map((m) => m.name)).size).toBe(CLASSIC_MUTANTS.length);
    for (const m of CLASSIC_MUTANTS) {
      if (m.seeds.length > 0) expect(m.caughtBy.length, m.name).toBeGreaterThan(0);
      else expect(m.notCaught, m.name).toMatch(/\w/);
    }
  });

  it.each(CLASSIC_MUTANTS.filter((m) => m.seeds.length === 0).map((m) => [m.name, m] as const))(
    '%s, which the simulation does not catch, still applies to the code',
    (_name, mutant) => createWorkspace(mutant).remove(),
  );

  describe('an edit whose text is not found exactly once', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'mutant-edit-'));
      writeFileSync(path.join(dir, 'a.ts'), 'const a = 1;\nconst b = 1;\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fails saying the mutant no longer applies, and leaves the file alone', () => {
      for (const find of ['= 1;', 'const c']) {
        expect(() => applyEdit(dir, 'm', { file: 'a.ts', find, replace: '= 2;' })).toThrow(
          MutantNoLongerApplies,
        );
      }
      expect(readFileSync(path.join(dir, 'a.ts'), 'utf8')).toBe('const a = 1;\nconst b = 1;\n');
      applyEdit(dir, 'm', { file: 'a.ts', find: 'b = 1', replace: 'b = 2' });
      expect(readFileSync(path.join(dir, 'a.ts'), 'utf8')).toBe('const a = 1;\nconst b = 2;\n');
    });
  });
});
