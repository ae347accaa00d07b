import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * SESSION_SECRET when set; otherwise a random secret generated once and kept in Postgres, so every
 * web process signs and accepts the same cookies without anyone having to configure one.
 */
export async function resolveSessionSecret(sequelize: Sequelize, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await sequelize.query(
    `INSERT INTO settings (key, value) VALUES ('session_secret', :value) ON CONFLICT (key) DO NOTHING`,
    { replacements: { value: randomBytes(32).toString('hex') } },
  );
  const [row] = await sequelize.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'session_secret'`, { type: QueryTypes.SELECT });
  if (!row) throw new Error('settings.session_secret vanished right after it was written');
  return row.value;
}
