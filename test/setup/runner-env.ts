/**
 * What the test runner (test/runner/) and the root hooks (hooks.ts) agree on. The runner sets
 * FILE_DATABASE_ENV for each test file's process to the database it made for that file.
 */
export const FILE_DATABASE_ENV = 'TEST_FILE_DATABASE_URL';

/** FILE_DATABASE_ENV's value for a file that gets no database: test/unit/ is pure code. */
export const NO_DATABASE = 'none';

/** Where a test process writes the CPU seconds it and its children used, read by the runner at its exit. */
export const CPU_FILE_ENV = 'TEST_FILE_CPU_OUT';

/**
 * Settings of the test cluster: many test processes at once, each with pools, a queue and servers of
 * its own (the default of 100 connections runs out), and no durability (fsync off: a crashed test
 * cluster is thrown away, never recovered).
 */
export const TEST_POSTGRES_SETTINGS = [
  'max_connections=500',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
] as const;
