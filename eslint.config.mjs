// Lint TypeScript with type-aware rules; `src/` must never reach into the local runtime, and must
// stay bundleable by Forge's bundler (its webpack maps no `.js` import to a `.ts` file).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // static/ is Vite's build output (git-ignored), not source.
  { ignores: ['node_modules/', '.local-data/', 'coverage/', 'static/', '.forge-bundle/'] },
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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/local-runtime/**', '**/local-runtime'],
              message: 'src/ runs on Forge: it must not import the local runtime.',
            },
            {
              regex: '^\\.{1,2}/.*\\.js$',
              message:
                "Forge's bundler does not map './x.js' to './x.ts': import relative modules without an extension.",
            },
          ],
        },
      ],
    },
  },
);
