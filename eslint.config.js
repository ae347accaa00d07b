// Lint for the whole tree: `npm run lint`. Type-aware rules read tsconfig.json through the project
// service, so a file tsc does not compile is linted without type information (the JS block below).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Imports point one way: models/ ← src/ ← admin/, resources/ (and src/platform/ is the floor of src/).
// This table is the only statement of that rule; each zone forbids `target` from importing `from`.
const ADMINJS = ['node_modules/adminjs', 'node_modules/@adminjs'];
const layers = {
  srcUsesNoConsole: {
    target: 'src',
    from: ['admin', 'resources', ...ADMINJS],
    message:
      'src/ must not depend on the console (admin/, resources/, AdminJS): move the code into src/ or call it from admin/.',
  },
  modelsAreTheBottom: {
    target: 'models',
    from: ['src', 'admin', 'resources'],
    message: 'models/ is the bottom layer: it imports nothing from src/, admin/ or resources/.',
  },
  // The web process is assembled in src/web/ only: the request pipeline (src/server/) and the web
  // process (src/web/) never reach into the CLI, and the pipeline never into the process around it.
  serverIsThePipeline: {
    target: 'src/server',
    from: ['src/cli', 'src/web'],
    message:
      'src/server/ is the request pipeline: it imports neither the CLI (src/cli/) nor the web process (src/web/).',
  },
  webIsNotTheCli: {
    target: 'src/web',
    from: 'src/cli',
    message: 'src/web/ assembles the web process for any caller: it must not import the CLI (src/cli/).',
  },
  platformIsTheFloor: {
    target: 'src/platform',
    from: 'src',
    except: ['./platform'],
    message:
      'src/platform/ (logger, config, request context, project root) is the floor of src/: it imports nothing else from src/.',
  },
};
// The one exception, the composition root: the module that assembles the web process may import admin/
// (it does so dynamically, so workers and the CLI never load AdminJS); resources/ and AdminJS itself
// stay out of it like the rest of src/.
const COMPOSITION_ROOT = 'src/web/compose-web-app.ts';

export default defineConfig(
  {
    ignores: ['dist/', '.adminjs/', '.data/', 'test-results/', 'test-artefacts/', 'bench-results/'],
  },
  js.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Express 4 route handlers are async functions that catch and pass errors to next() themselves;
      // every other promise-in-the-wrong-place check stays on.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // A `default` branch is a decision about the other cases, not an omission.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Passing on a callback's error as it came is fine; rejecting with a string or a literal is not.
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
      // `_name` marks a binding kept on purpose: a handler's unused parameter, a field dropped by a rest spread.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `async` without `await` is how this code meets promise-returning interfaces (AdminJS hooks and
      // handlers, job handlers); dropping it would turn a rejection into a synchronous throw.
      '@typescript-eslint/require-await': 'off',
      // String(value) of outside data (AdminJS params, CSV cells, JSON) after narrowing is deliberate;
      // the rule cannot see that objects were handled first (21 hits, none a bug).
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    files: ['admin/components/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    // Only the rules of hooks: the plugin's other recommended rules are written for the React Compiler,
    // which AdminJS's bundler does not run, and exhaustive-deps asks the fetch-on-mount effects to re-run
    // whenever AdminJS hands over a new record object.
    rules: { 'react-hooks/rules-of-hooks': 'error' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: Object.values(layers) }],
      // The boundary rule skips an import it cannot resolve; this makes such an import an error instead.
      'import-x/no-unresolved': 'error',
    },
  },
  {
    files: [COMPOSITION_ROOT],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { zones: [{ ...layers.srcUsesNoConsole, from: ['resources', ...ADMINJS] }, layers.webIsNotTheCli] },
      ],
    },
  },
  prettier,
);
