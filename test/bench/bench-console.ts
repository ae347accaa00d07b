import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { changeNotifications } from '../../src/db/change-notifications.js';
import { createApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { sessionOptions } from '../../src/server/session.js';
import { freePort } from '../support/free-port.js';

/**
 * The console (AdminJS and its API, sessions in Postgres, caches dropped on change notifications)
 * served in this process on 127.0.0.1 against a benchmark's database; `stop()` closes it all.
 */
export async function startBenchConsole(db: { url: string; sequelize: Sequelize }): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const { buildConsole } = await import('../../admin/index.js');
  const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const secret = 'bench-session-secret-0123456789abcdefghij';
  const session = { ...sessionOptions(pool, secret, config), secret };
  await changeNotifications.start(db.url);
  const app = createApp({ config, sequelize: db.sequelize, session, console: buildConsole(config, session) });
  const port = await freePort();
  const server = app.listen(port, '127.0.0.1');
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
      await changeNotifications.stop();
    },
  };
}
