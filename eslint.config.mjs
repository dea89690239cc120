// Lint TypeScript with type-aware rules; `src/` must never reach into the local runtime.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // static/ is Vite's build output (git-ignored), not source.
  { ignores: ['node_modules/', '.local-data/', 'coverage/', 'static/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/local-runtime/**', '**/local-runtime'],
              message: 'src/ runs on Forge: it must not import the local runtime.',
            },
          ],
        },
      ],
    },
  },
);
