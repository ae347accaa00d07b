'use strict';
// Tests run from the compiled output (`npm test` builds first): worker threads and AdminJS need real
// .js files. test/setup/env.mjs settles AdminJS's environment before any test file imports it.
module.exports = {
  spec: ['dist/test/unit/**/*.test.js', 'dist/test/integration/**/*.test.js', 'dist/test/security/**/*.test.js', 'dist/test/e2e/**/*.test.js'],
  require: ['test/setup/env.mjs', 'dist/test/setup/hooks.js'],
  timeout: 120000,
  slow: 5000,
  exit: true,
};
