import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Browser-side fixtures (a web UI folder of our own for --webui tests) are data, not project code.
  { ignores: ['node_modules/**', 'coverage/**', 'artifacts/**', 'test/fixtures/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-empty': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // ARCHITECTURE.md dependency direction: the emulator imports nothing internal but hil/errors.ts.
    files: ['emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/cli/**', '**/scenarios/**', '**/hil/drivers/**', '**/hil/clients/**', '**/hil/transports/**', '**/hil/connect*'], message: 'the emulator imports nothing internal but hil/errors.ts' },
      ] }],
    },
  },
  {
    // hil/clients may use the emulator's pure wire codecs and nothing else of it (docs/decisions/shared-codecs.md).
    files: ['hil/clients/**/*.ts', 'hil/transports/**/*.ts', 'hil/target.ts', 'hil/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: 'emulator/(?!(http/codec|modem/pdu|modem/gsm7|cloud/messages|usp/records)\\.js$)', message: 'only hil/drivers import the emulator (codecs excepted)' },
      ] }],
    },
  },
  {
    // ARCHITECTURE.md: scenarios talk to a Target through hil/index.ts only; never a driver or the emulator.
    files: ['scenarios/**/*.ts'],
    ignores: ['scenarios/load/k6/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)(emulator|cli)/', message: 'scenarios import hil/index.ts only, never the emulator or the CLI' },
        { regex: '(^|/)hil/(?!index\\.js$)', message: 'scenarios import hil/index.ts only (no drivers, clients or transports directly)' },
      ] }],
    },
  },
  {
    // emulator/state owns the rules; surfaces use DeviceApi and never the areas' core (emulator/state/core.ts).
    files: ['emulator/**/*.ts'],
    ignores: ['emulator/state/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/cli/**', '**/scenarios/**', '**/hil/drivers/**', '**/hil/clients/**', '**/hil/transports/**', '**/hil/connect*'], message: 'the emulator imports nothing internal but hil/errors.ts' },
        { group: ['**/state/core.js'], message: 'surfaces use DeviceApi (emulator/state/device-api.ts); the core is the areas\' own' },
      ] }],
    },
  },
  {
    files: ['bin/*.js', 'scripts/*.mjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly' } },
  },
);
