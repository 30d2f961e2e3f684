// Lint with zero warnings in CI. The import rules below are the layering of STYLE.md:
// only the Electron entry points may touch 'electron', and the renderer never reaches into
// main — it talks to main only through src-preload/contract.ts.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronEntryPoints = ['src-main/main.ts', 'src-main/electron/**', 'src-preload/index.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: electronEntryPoints,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                "Only src-main/main.ts, src-main/electron/ and src-preload/index.ts may import 'electron': everything else must run in plain Node.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer never imports electron.' }],
          patterns: [
            {
              group: ['**/src-main', '**/src-main/**'],
              message: 'The renderer talks to main only through src-preload/contract.ts.',
            },
            {
              group: ['node:*'],
              message: 'The renderer runs in a sandboxed browser context: no Node built-ins.',
            },
          ],
        },
      ],
    },
  },
);
