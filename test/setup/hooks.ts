import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { freePort } from '../support/free-port.js';

/**
 * Root hooks: one real Postgres for the whole run. With TEST_DATABASE_URL (a server you provide) a
 * fresh database is created on it; otherwise an embedded cluster is started in a temporary folder
 * and removed afterwards. Tests get the URL from `testDatabaseUrl()`.
 */
let server: EmbeddedPostgres | undefined;
let dataDir: string | undefined;
let url: string | undefined;

export function testDatabaseUrl(): string {
  if (!url) throw new Error('The test database is not started (test/setup/hooks.ts runs as a mocha root hook).');
  return url;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const external = process.env.TEST_DATABASE_URL;
    if (external) {
      const name = `modeldesk_test_${process.pid}`;
      const admin = new pg.Client({ connectionString: external });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const parsed = new URL(external);
      parsed.pathname = `/${name}`;
      url = parsed.toString();
      return;
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-test-'));
    server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    url = server.url;
  },
  async afterAll() {
    // Close our own connections first: Postgres terminating them would surface as an uncaught error.
    const { closeTestDatabase } = await import('../support/database.js');
    await closeTestDatabase();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  },
};
