'use strict';
// Tests run from the compiled output (`npm test` builds first): worker threads and AdminJS need real
// .js files. test/setup/env.mjs settles AdminJS's environment before any test file imports it.
// No `exit: true`: a test that leaves a handle open fails its file (test/setup/leak-check.ts).
module.exports = {
  // MOCHA_SPEC (a JSON list): the test runner (test/runner/) gives each mocha process one file.
  spec: process.env.MOCHA_SPEC
    ? JSON.parse(process.env.MOCHA_SPEC)
    : [
        'dist/test/unit/**/*.test.js',
        'dist/test/integration/**/*.test.js',
        'dist/test/security/**/*.test.js',
        'dist/test/e2e/**/*.test.js',
      ],
  require: ['test/setup/env.mjs', 'dist/test/setup/hooks.js'],
  timeout: 120000,
  slow: 5000,
};
