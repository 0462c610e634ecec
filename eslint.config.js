import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The floors of src/, bottom up (docs/design.md draws the same map). A file may import its own floor and the
 * ones below, never one above: `npm run lint` fails on an import that climbs. Within floor 1 the three parts are
 * independent of each other. Two doors are narrower still: pagination reaches the request layer only through
 * `request/for-pagination.ts`, and the simulated API imports nothing of the library.
 */
export const FLOORS = [
  ['util', 'http', 'telemetry', 'types.ts', 'errors.ts'],
  ['retry', 'limit', 'quota'],
  ['fleet'],
  ['control'],
  ['request'],
  ['paginate'],
  ['attach.ts', 'index.ts'],
  ['cli'],
];
const path = (part) => `./src/${part}`;
const zones = [];
FLOORS.forEach((floor, level) => {
  const above = FLOORS.slice(level + 1).flat();
  if (above.length === 0) return;
  for (const part of floor)
    zones.push({
      target: path(part),
      from: above.map(path),
      message: `src/${part} is on floor ${level} of docs/design.md's map and may not import a floor above it`,
    });
});
for (const part of FLOORS[1])
  zones.push({
    target: path(part),
    from: FLOORS[1].filter((p) => p !== part).map(path),
    message: 'retry/, limit/ and quota/ are independent',
  });
zones.push(
  {
    target: path('paginate'),
    from: ['retry', 'limit', 'quota', 'fleet', 'control'].map(path),
    message: 'pagination works on any axios instance: it knows the request layer only through request/for-pagination.ts',
  },
  {
    target: path('paginate'),
    from: path('request'),
    except: ['./for-pagination.ts'],
    message: 'pagination reaches the request layer only through request/for-pagination.ts',
  },
  {
    target: path('sim-api'),
    from: FLOORS.flat().map(path),
    message: 'the simulated API stands alone: it imports nothing of the library',
  },
  {
    target: FLOORS.flat()
      .filter((part) => part !== 'cli')
      .map(path),
    from: path('sim-api'),
    message: 'only the command line (its demo) uses the simulated API',
  },
);

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      'docs/api/',
      'examples/react/dist/',
      'test/otel/browser/dist/',
      'node_modules/',
      'bench/.tmp/',
      'src/fleet/scripts.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // no-cycle reads the imported files themselves: they are TypeScript.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['scripts/**', 'bench/**', 'examples/**', 'test/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
