// @ts-check
// Mutation testing of the writer core: npm run mutate. How to read its report and every mutant
// that survives: docs/mutation-testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['src/shared/writer/**/*.ts', 'src/consumer/**/*.ts'],
  testRunner: 'vitest',
  vitest: { configFile: 'stryker/vitest.config.mts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'stryker/tsconfig.json',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // A mutant's run is given twice the tests' own time plus 10 s: a test slowed by contention is
  // not an infinite loop, while each real one (a loop that never ends) costs 10 s, not a minute.
  // Run it on a quiet machine.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  ignorePatterns: ['.forge-bundle', '.local-data', 'static', 'coverage'],
  tempDirName: '.stryker-tmp',
};
