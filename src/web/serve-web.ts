import http, { type Server } from 'node:http';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { changeNotifications } from '../db/change-notifications.js';
import type { Database } from '../db/start-database.js';
import { queueTiming, startQueue, stopQueue } from '../jobs/queue.js';
import { RequestStats } from '../monitoring/request-stats.js';
import type { Config } from '../platform/config.js';
import { sessionOptions } from '../server/session.js';
import { closeServer, listen } from './listen.js';
import { resolveSessionSecret } from './session-secret.js';
import { createWebServer, readTlsCredentials, redirectToHttps } from './tls.js';

export interface ServingWeb {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), flushes statistics, closes the queue and pools. */
  close(): Promise<void>;
}

/**
 * The web server of one process: the job queue (to enqueue), the console, sessions in Postgres,
 * request statistics. Used by `start` (in each of its `--web N` processes) and `web`.
 * Under node:cluster several processes call this with the same port and share it.
 */
export async function serveWeb(
  db: { config: Config; database: Database; sequelize: Sequelize },
  say: (message: string) => void,
): Promise<ServingWeb> {
  const pool = sessionPool(db.database.url);
  let requestStats: RequestStats | undefined;
  try {
    // What can refuse the start (the TLS files, the session secret) is settled before the console is
    // loaded: importing AdminJS costs about a second of CPU that a misconfigured process need not pay.
    const tls = readTlsCredentials(db.config);
    const sessionSecret = await resolveSessionSecret(db.sequelize, db.config, db.database);
    await startQueue(db.database.ownerUrl, queueTiming(db.config));
    const { checkConsoleAtStart, composeWebApp } = await import('./compose-web-app.js');
    await checkConsoleAtStart(say);
    const session = { ...sessionOptions(pool, sessionSecret, db.config), secret: sessionSecret };
    requestStats = new RequestStats(db.sequelize).start();
    await changeNotifications.start(db.database.url);
    const { app, closeApi } = await composeWebApp({
      config: db.config,
      sequelize: db.sequelize,
      session,
      requestStats,
    });
    const server = await listen(createWebServer(app, tls), db.config.PORT, db.config.HOST);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : db.config.PORT;
    const redirect =
      tls && db.config.HTTP_REDIRECT_PORT !== undefined
        ? await listen(http.createServer(redirectToHttps(port)), db.config.HTTP_REDIRECT_PORT, db.config.HOST).catch(
            async (error: unknown) => {
              await closeServer(server, 0);
              throw error;
            },
          )
        : undefined;
    const stats = requestStats;
    // Half the grace period for in-flight requests: the rest is for closing the queue and pools before
    // `npm start` SIGKILLs a web process that overstays SHUTDOWN_GRACE_SECONDS.
    const drainMs = (db.config.SHUTDOWN_GRACE_SECONDS * 1000) / 2;
    return {
      server,
      port,
      close: async () => {
        if (redirect) await closeServer(redirect, drainMs);
        await closeServer(server, drainMs);
        await closeApi().catch(() => undefined);
        await changeNotifications.stop();
        await stats.stop().catch(() => undefined);
        await stopQueue(drainMs).catch(() => undefined);
        await pool.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await requestStats?.stop().catch(() => undefined);
    await changeNotifications.stop();
    await stopQueue().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/** The connections of the session store (table `session`), apart from Sequelize's pool. */
function sessionPool(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 5, application_name: 'modeldesk-sessions' });
}
