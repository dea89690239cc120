// Runs the simulation on a mutated copy of the code, never touching the working tree: copies what
// the simulation loads (the app's sources, the simulation, the local runtime, the approvals app)
// into a temporary folder with node_modules linked, applies the mutant's edits there, and runs
// seeds in a child process started in the copy. The runtime loads the consumer from the copy's
// src/ (its 'source' handlers), and the producers, operator and checks import the copy's src/ too.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClassicMutant, SourceEdit } from './classic-mutants.js';
import type { MutantSeedResult } from './mutant-seeds.js';

const REPO = path.resolve(__dirname, '..');

/** What the simulation reads, relative to the repository. */
const COPIED = [
  'src',
  'sim',
  'local-runtime',
  'test/fixtures/approvals-app',
  'manifest.yml',
  'package.json',
  'tsconfig.json',
];

/** A mutant whose edit no longer finds its text exactly once: the catalogue must be updated. */
export class MutantNoLongerApplies extends Error {}

export interface Workspace {
  dir: string;
  /** Runs seeds in the copy, in one child process. */
  run(seeds: readonly number[], options?: RunOptions): Promise<MutantSeedResult[]>;
  remove(): void;
}

export interface RunOptions {
  domain?: string;
  /** Stop after this many seeds with a violation. */
  stopAfter?: number;
  /** Kill the run after this long (default 5 minutes and 1 more per seed): a mutant may loop forever. */
  timeoutMs?: number;
}

/** A copy of the repository's simulation with `mutant` applied (or none: the control). */
export function createWorkspace(mutant?: ClassicMutant): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sim-mutant-${mutant?.name ?? 'control'}-`));
  try {
    for (const entry of COPIED) cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    for (const edit of mutant?.edits ?? []) applyEdit(dir, mutant!.name, edit);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    run: (seeds, options = {}) => runSeeds(dir, seeds, options),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Replaces the edit's text, which must occur exactly once, so a catalogue never silently rots. */
export function applyEdit(dir: string, mutantName: string, edit: SourceEdit): void {
  const file = path.join(dir, edit.file);
  const source = readFileSync(file, 'utf8');
  const count = source.split(edit.find).length - 1;
  if (count !== 1)
    throw new MutantNoLongerApplies(
      `mutant '${mutantName}' no longer applies: its text occurs ${count} times in ${edit.file}, not once:\n${edit.find}`,
    );
  writeFileSync(
    file,
    source.replace(edit.find, () => edit.replace),
  );
}

function runSeeds(dir: string, seeds: readonly number[], options: RunOptions): Promise<MutantSeedResult[]> {
  const args = [
    '--import',
    'tsx',
    path.join(dir, 'sim', 'mutant-seeds.ts'),
    '--seeds',
    seeds.join(','),
    ...(options.domain ? ['--domain', options.domain] : []),
    ...(options.stopAfter ? ['--stop-after', String(options.stopAfter)] : []),
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? (5 + seeds.length) * 60_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`the simulation failed to run in ${dir}: ${error.message}\n${stderr}`));
          return;
        }
        const last = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(last) as MutantSeedResult[]);
        } catch {
          reject(new Error(`the simulation in ${dir} printed no results:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

export interface MutantRun extends RunOptions {
  /** None: the unmutated copy, as a control. */
  mutant?: ClassicMutant;
  seeds: readonly number[];
}

/**
 * Runs each in its own copy, `parallel` at a time; the results in the order given, or the error
 * of a run that failed (a mutant that no longer applies, a simulation that crashed).
 */
export async function runMutants(
  runs: readonly MutantRun[],
  parallel: number,
  onDone: (index: number, result: MutantSeedResult[] | Error) => void = () => {},
): Promise<Array<MutantSeedResult[] | Error>> {
  const results = new Array<MutantSeedResult[] | Error>(runs.length);
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const i = next++;
      const { mutant, seeds, ...options } = runs[i]!;
      try {
        const workspace = createWorkspace(mutant);
        try {
          results[i] = await workspace.run(seeds, options);
        } finally {
          workspace.remove();
        }
      } catch (error) {
        results[i] = error instanceof Error ? error : new Error(String(error));
      }
      onDone(i, results[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, runs.length) }, worker));
  return results;
}
