// A small config whose rules encode the architecture: subgraphs stay independent of each other and
// of the gateway, shared packages depend on no deployable, and nothing throws bare strings.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const deployables = [
  '@supergraph/users',
  '@supergraph/content',
  '@supergraph/search',
  '@supergraph/moderation',
  '@supergraph/billing',
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.nx/**', 'policies/bundles/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
        Headers: 'readonly',
        NodeJS: 'readonly',
      },
    },
    rules: {
      'no-throw-literal': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['subgraphs/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...deployables, '@supergraph/gateway', '@supergraph/stack'],
              message: 'A subgraph never imports another subgraph or the gateway: share through packages/ or events.',
            },
            { group: ['../../*', '../../../*'], message: 'Import shared code through its @supergraph/* package.' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...deployables, '@supergraph/gateway', '@supergraph/stack'],
              message: 'Shared packages depend on no deployable.',
            },
          ],
        },
      ],
    },
  },
);
