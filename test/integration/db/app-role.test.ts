import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sequelizeOf } from '../../../models/index.js';
import { ensureLoginRole, grantAppRole } from '../../../src/db/app-role.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { useTestDatabase } from '../../support/database.js';

describe("the application's database role (owns nothing; real Postgres)", () => {
  const role = `modeldesk_app_test_${process.pid}`;
  let app: pg.Client;

  before(async () => {
    await useTestDatabase();
    const password = randomBytes(18).toString('base64url');
    const admin = new URL(testDatabaseUrl());
    admin.pathname = '/postgres';
    await ensureLoginRole(admin.toString(), role, password);
    await grantAppRole(sequelizeOf(), role);
    const url = new URL(testDatabaseUrl());
    url.username = role;
    url.password = password;
    app = new pg.Client({ connectionString: url.toString() });
    await app.connect();
  });
  after(async () => {
    await app?.end();
  });

  it('reads and writes data, and appends to the audit log', async () => {
    assert.equal((await app.query<{ who: string }>('SELECT current_user AS who')).rows[0]?.who, role);
    await app.query('SELECT count(*) FROM records');
    await app.query(`UPDATE records SET tags = tags WHERE id = -1`);
    await app.query('SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1');
    await app.query('SELECT 1 FROM "SequelizeMeta" LIMIT 1');
  });

  it('cannot change, delete, empty, or switch off the protection of the audit log', async () => {
    const refused = async (sql: string, reason: RegExp) => assert.rejects(app.query(sql), reason, sql);
    await refused('UPDATE audit_events SET reason = NULL WHERE seq = 1', /permission denied/);
    await refused('DELETE FROM audit_events WHERE seq = 1', /permission denied/);
    await refused('TRUNCATE audit_events', /permission denied/);
    await refused('ALTER TABLE audit_events DISABLE TRIGGER ALL', /must be owner/);
    await refused('DROP TRIGGER audit_events_no_change ON audit_events', /must be owner/);
    await refused('SET session_replication_role = replica', /permission denied/);
    await refused('DELETE FROM audit_archives', /permission denied/);
    await refused('DELETE FROM audit_chain_head', /permission denied/);
    await refused('ALTER TABLE records ADD COLUMN x int', /must be owner/);
  });
});
