'use strict';
// Tests run from the compiled output (`npm test` builds first): worker threads and AdminJS need real
// .js files. test/setup/env.mjs settles AdminJS's environment before any test file imports it.
module.exports = {
  // MOCHA_SPEC (a JSON list) picks a part: `npm test` runs two parts side by side (test/run-tests.mjs).
  spec: process.env.MOCHA_SPEC ? JSON.parse(process.env.MOCHA_SPEC) : ['dist/test/unit/**/*.test.js', 'dist/test/integration/**/*.test.js', 'dist/test/security/**/*.test.js', 'dist/test/e2e/**/*.test.js'],
  require: ['test/setup/env.mjs', 'dist/test/setup/hooks.js'],
  timeout: 120000,
  slow: 5000,
  exit: true,
};
