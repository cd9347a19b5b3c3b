// ESLint (flat config): typescript-eslint's type-checked rules; formatting is Prettier's (eslint-config-prettier).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // bench/baseline/ is a frozen copy of a retired reader, kept only as a benchmark baseline.
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'var/**', 'bench/baseline/**', 'test/contract/openapi.d.ts', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Nest decorators and DI make some of these patterns idiomatic.
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
      // Misreads constants used only inside decorators (ParseUUIDPipe instances) as dead stores.
      'no-useless-assignment': 'off',
    },
  },
  {
    // Tests drive the API with loosely typed response bodies (supertest's `any`).
    files: ['test/**/*.ts', 'bench/**/*.ts', 'src/**/*.spec.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
