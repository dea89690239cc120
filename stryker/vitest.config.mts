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
    include: ['test/writer/**/*.test.ts', 'test/producers/realtime-changes.test.ts', 'stryker/**/*.test.ts'],
    // The long simulation and the hand-written classic mutants (each runs many seeds) stay in npm test.
    exclude: ['test/writer/simulation.test.ts', 'test/writer/classic-mutants.test.ts'],
    // Stryker runs vitest in worker threads, where process.chdir() throws; that one test checks the
    // manifest with @forge/manifest, no writer code, and still runs in npm test.
    testNamePattern: /^(?!.*passes @forge\/manifest's full validation)/,
    sequence: { sequencer: ShortestFirstSequencer },
    // One module graph for every test file of a mutant's run: each file re-importing the local
    // runtime cost seconds per mutant (the dry run's overhead fell from 18.6 s to 3.5 s).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
