import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { freePort } from '../support/free-port.js';
import { processTreeCpuSeconds, runQueueWaitSeconds } from '../runner/cpu-seconds.js';
import { CPU_FILE_ENV, FILE_DATABASE_ENV, NO_DATABASE, TEST_POSTGRES_SETTINGS } from './runner-env.js';
import { armLeakCheck } from './leak-check.js';

/**
 * Root hooks: one real database for the mocha process. Under `npm test` (test/runner/) each test
 * file runs in a process of its own and the runner hands it a database cloned from a migrated
 * template (FILE_DATABASE_ENV), created and dropped by the runner. A mocha run of its own makes
 * one: with TEST_DATABASE_URL (a server you provide) a fresh database on it, dropped afterwards;
 * otherwise an embedded cluster in a temporary folder, removed afterwards. Tests get the URL from
 * `testDatabaseUrl()`.
 */
let server: EmbeddedPostgres | undefined;
let dataDir: string | undefined;
let url: string | undefined;
let dropOnServer: { adminUrl: string; name: string } | undefined;

const closers: Array<() => Promise<void>> = [];

/**
 * Runs `close` when the tests end, before the database goes away: support modules register their
 * pools here when first loaded, so a file that never touches the database loads none of them.
 */
export function whenTestsEnd(close: () => Promise<void>): void {
  closers.push(close);
}

export function testDatabaseUrl(): string {
  if (process.env[FILE_DATABASE_ENV] === NO_DATABASE)
    throw new Error('Unit tests run without a database (test/unit/ is pure code): put this test in test/integration/.');
  if (!url) throw new Error('The test database is not started (test/setup/hooks.ts runs as a mocha root hook).');
  return url;
}

async function onServer(adminUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

const cpuFile = process.env[CPU_FILE_ENV];
// What the runner schedules by: the CPU this file's processes used and how long this one waited for a core.
if (cpuFile)
  process.once('exit', () =>
    fs.writeFileSync(
      cpuFile,
      JSON.stringify({ cpuSeconds: processTreeCpuSeconds(), waitSeconds: runQueueWaitSeconds() }),
    ),
  );

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const given = process.env[FILE_DATABASE_ENV];
    if (given === NO_DATABASE) return;
    if (given) {
      url = given;
      return;
    }
    const external = process.env.TEST_DATABASE_URL;
    if (external) {
      const name = `modeldesk_test_${process.pid}`;
      await onServer(external, `DROP DATABASE IF EXISTS ${name}`);
      await onServer(external, `CREATE DATABASE ${name}`);
      dropOnServer = { adminUrl: external, name };
      const parsed = new URL(external);
      parsed.pathname = `/${name}`;
      url = parsed.toString();
      return;
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-test-'));
    server = await startEmbeddedPostgres({ dataDir, port: await freePort(), settings: TEST_POSTGRES_SETTINGS });
    url = server.url;
  },
  async afterAll() {
    // Close our own connections first: Postgres terminating them would surface as an uncaught error.
    for (const close of closers) await close();
    if (dropOnServer)
      await onServer(dropOnServer.adminUrl, `DROP DATABASE IF EXISTS ${dropOnServer.name} WITH (FORCE)`);
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    armLeakCheck();
  },
};
