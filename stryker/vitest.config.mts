// The tests Stryker runs against each mutant of the writer core (npm run mutate): the fast tests of
// test/writer/ and the consumer's, not the long simulation file (it runs 400+ seeds and the bundle,
// which Stryker's instrumented sources never reach). See docs/mutation-testing.md.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { ShortestFirstSequencer } from './shortest-first-sequencer';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    // The writer's tests, and the consumer's own addition: what it publishes after each commit.
    include: [
      'test/writer/**/*.test.ts',
      'test/producers/realtime-changes.test.ts',
      'test/producers/change-publisher.test.ts',
      'stryker/**/*.test.ts',
    ],
    // The long simulation and the hand-written classic mutants (each runs many seeds) stay in npm test.
    exclude: ['test/writer/simulation.test.ts', 'test/writer/classic-mutants.test.ts'],
    // Stryker runs vitest in worker threads, where process.chdir() throws; that one test checks the
    // manifest with @forge/manifest, no writer code, and still runs in npm test.
    testNamePattern: /^(?!.*passes @forge\/manifest's full validation)/,
    sequence: { sequencer: ShortestFirstSequencer },
    // Per-file isolation stays on (vitest's default): without it the module graph outlives a run,
    // so a mutant in module-level code (a constant, a schema) is never activated and survives
    // falsely (docs/mutation-testing.md).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
