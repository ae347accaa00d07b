import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ConfigError, type Config } from '../platform/config.js';

/**
 * The secret that signs session cookies: SESSION_SECRET when set. In production against a database of
 * your own it must be set: a secret generated into that database is readable by anyone who can read
 * the database (or a backup of it), and a restore to a fresh database would sign everyone out. On the
 * embedded demo database (and outside production) a random secret is generated once and kept in
 * Postgres, so every web process signs and accepts the same cookies without anyone configuring one.
 */
export async function resolveSessionSecret(
  sequelize: Sequelize,
  config: Pick<Config, 'SESSION_SECRET' | 'NODE_ENV'>,
  database: { embedded: boolean },
): Promise<string> {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  if (config.NODE_ENV === 'production' && !database.embedded) {
    throw new ConfigError([
      'SESSION_SECRET: required in production with DATABASE_URL. Set it to at least 32 random characters (e.g. `openssl rand -hex 32`), ' +
        'the same value for every web process; only the embedded demo database generates one.',
    ]);
  }
  await sequelize.query(
    `INSERT INTO settings (key, value) VALUES ('session_secret', :value) ON CONFLICT (key) DO NOTHING`,
    { replacements: { value: randomBytes(32).toString('hex') } },
  );
  const [row] = await sequelize.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'session_secret'`, {
    type: QueryTypes.SELECT,
  });
  if (!row) throw new Error('settings.session_secret vanished right after it was written');
  return row.value;
}
