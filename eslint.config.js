// Lint rules: typescript-eslint's recommended set, plus the house rules that
// matter for correctness (no focused tests on main). Emulator-backed suites may
// skip themselves, with a message, when the emulator is missing outside CI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'cdk.out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'only', message: 'No focused tests on main.' },
        { object: 'it', property: 'only', message: 'No focused tests on main.' },
      ],
    },
  },
);
