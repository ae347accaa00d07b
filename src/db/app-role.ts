import pg from 'pg';
import type { Sequelize } from 'sequelize';

/** The login role the application runs as when the schema has a separate owner (always, embedded). */
export const EMBEDDED_APP_ROLE = 'modeldesk_app';

/** Tables the application may only add to (and read), never change or empty: the audit trail. */
const APPEND_ONLY = ['audit_events', 'audit_archives', 'record_changes'];

/**
 * Gives the application's role exactly the data privileges it needs, as the schema's owner, after
 * every migration run (new tables included): read and write data tables; only read and append the
 * audit tables; move the chain head forward. It owns nothing, so it cannot alter, disable triggers
 * on, or truncate any table, and as a non-superuser it cannot switch triggers off for its session.
 * The same for the job queue's schema, now and for tables pg-boss creates later.
 */
export async function grantAppRole(owner: Sequelize, appRole: string): Promise<void> {
  const role = pg.escapeIdentifier(appRole);
  await owner.query(`
    GRANT USAGE ON SCHEMA public TO ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};
    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role};
    REVOKE UPDATE, DELETE, TRUNCATE ON ${APPEND_ONLY.join(', ')} FROM ${role};
    REVOKE INSERT, DELETE, TRUNCATE ON audit_chain_head FROM ${role};
    ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO ${role};
    ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};
    ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${role};
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss') THEN
        EXECUTE 'GRANT USAGE ON SCHEMA pgboss TO ${role.replace(/'/g, "''")}';
        EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO ${role.replace(/'/g, "''")}';
        EXECUTE 'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA pgboss TO ${role.replace(/'/g, "''")}';
      END IF;
    END $$;
  `);
}

/** Creates the login role (or resets its password to the one on file); run as a superuser. */
export async function ensureLoginRole(adminUrl: string, appRole: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appRole]);
    const verb = rowCount ? 'ALTER' : 'CREATE';
    await client.query(
      `${verb} ROLE ${pg.escapeIdentifier(appRole)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${pg.escapeLiteral(password)}`,
    );
  } finally {
    await client.end();
  }
}

/** The user name in a postgres:// URL. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}
