// Lint rules: typescript-eslint's recommended set, plus the project's bans on
// nondeterminism inside the consensus core and the stake math (see DESIGN.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nondeterminism = [
  { object: 'Math', property: 'random', message: 'Randomness must be an input (inject a seeded source).' },
  { object: 'Date', property: 'now', message: 'Time must be an input (pass the clock in).' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.synod/**', 'bench/results/**', 'contracts/build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', AbortController: 'readonly', performance: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/consensus/**/*.ts', 'src/stake/**/*.ts', 'src/crypto/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', ...nondeterminism],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate'],
    },
  },
);
