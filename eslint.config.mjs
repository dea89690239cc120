// Lint TypeScript with type-aware rules. Code that runs on Forge must never reach into the local
// runtime and must stay bundleable by Forge's bundler (its webpack maps no `.js` import to a `.ts`
// file); the writer's core must stay domain-free.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const FORGE_CODE = [
  {
    group: ['**/local-runtime/**', '**/local-runtime'],
    message: 'src/ runs on Forge: it must not import the local runtime.',
  },
  {
    regex: '^\\.{1,2}/.*\\.js$',
    message:
      "Forge's bundler does not map './x.js' to './x.ts': import relative modules without an extension.",
  },
];

/** The core imports npm packages and its own files, nothing of an app: `up` leaves its folder. */
const writerCore = (files, up) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...FORGE_CODE,
          { group: [`${up}*`], message: 'The writer core must not import outside src/shared/writer/.' },
        ],
      },
    ],
  },
});

export default tseslint.config(
  // static/ is Vite's build output (git-ignored), not source; so is a compat app page's build/.
  {
    ignores: [
      'node_modules/',
      '.local-data/',
      'coverage/',
      'static/',
      '.forge-bundle/',
      'test/fixtures/compat/*/static/**/build/',
      // npm run mutate's sandboxes and reports.
      '.stryker-tmp/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', '**/app/src/**/*.ts', 'test/fixtures/*/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: FORGE_CODE }] },
  },
  // The compatibility apps are Forge apps as their developers write them, in plain JavaScript:
  // functions run on Node, static/ pages in the browser.
  {
    files: ['test/fixtures/compat/**/*.{js,jsx,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/fixtures/compat/*/static/**/*.{js,jsx,mjs}'],
    languageOptions: { globals: globals.browser },
  },
  writerCore(['src/shared/writer/*.ts'], '../'),
  writerCore(['src/shared/writer/*/**/*.ts'], '../../'),
);
