import http, { type Server } from 'node:http';
import { lazyApi, type Api } from '../api/index.js';
import { changeNotifications } from '../db/change-notifications.js';
import { Unavailable } from '../errors/domain-error.js';
import { startQueue, stopQueue } from '../jobs/queue.js';
import { RequestStats } from '../monitoring/request-stats.js';
import type session from 'express-session';
import type { Sequelize } from 'sequelize';
import { createApp } from '../server/app.js';
import type { Config } from '../platform/config.js';
import { formatChecks } from '../server/checks.js';
import { resolveSessionSecret } from '../server/session-secret.js';
import { sessionOptions } from '../server/session.js';
import { createWebServer, readTlsCredentials, redirectToHttps } from '../server/tls.js';
import { sessionPool, type OpenDatabase } from './open-database.js';

export interface ServingConsole {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), flushes statistics, closes the queue and pools. */
  close(): Promise<void>;
}

/**
 * The web server of one process: the job queue (to enqueue), the console, sessions in Postgres,
 * request statistics. Used by `start` (in its own process, or in each of `--web N` processes) and `web`.
 * Under node:cluster several processes call this with the same port and share it.
 */
export async function serveConsole(db: OpenDatabase, say: (message: string) => void): Promise<ServingConsole> {
  const pool = sessionPool(db.database.url);
  let requestStats: RequestStats | undefined;
  try {
    const tls = readTlsCredentials(db.config);
    await startQueue(db.database.ownerUrl, db.config.JOB_HEARTBEAT_SECONDS);
    // The composition root: the only place in src/ that loads the AdminJS console (admin/ imports src/, not the reverse).
    const { consoleChecks } = await import('../../admin/index.js');
    const problems = consoleChecks();
    if (problems.some((p) => p.level === 'error')) throw new Error(`Startup checks failed:\n${formatChecks(problems)}`);
    if (problems.length > 0) say(formatChecks(problems));
    const sessionSecret = await resolveSessionSecret(db.sequelize, db.config, db.database);
    const session = { ...sessionOptions(pool, sessionSecret, db.config), secret: sessionSecret };
    requestStats = new RequestStats(db.sequelize).start();
    await changeNotifications.start(db.database.url);
    const { app, closeApi } = await composeWebApp({ config: db.config, sequelize: db.sequelize, session, requestStats });
    const server = await listen(createWebServer(app, tls), db.config.PORT, db.config.HOST);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : db.config.PORT;
    const redirect =
      tls && db.config.HTTP_REDIRECT_PORT !== undefined
        ? await listen(http.createServer(redirectToHttps(port)), db.config.HTTP_REDIRECT_PORT, db.config.HOST).catch(async (error: unknown) => {
            await closeServer(server, 0);
            throw error;
          })
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

/**
 * The web app of a process, as `serveConsole` serves it: the API, the AdminJS console, sessions,
 * security and metrics. Also what the tests and the screenshot script serve.
 */
export async function composeWebApp(deps: {
  config: Config;
  sequelize: Sequelize;
  session: session.SessionOptions & { secret: string };
  requestStats?: RequestStats;
}): Promise<{ app: http.RequestListener; api: () => Api | undefined; closeApi: () => Promise<void> }> {
  const { buildConsole } = await import('../../admin/index.js');
  const { config, sequelize, session: sessionConfig, requestStats } = deps;
  const api = lazyApi({ config, sequelize, sessionCookieName: sessionConfig.name ?? 'connect.sid' });
  const app = createApp({ config, sequelize, session: sessionConfig, console: buildConsole(config, sessionConfig), ...(requestStats ? { requestStats } : {}), api: api.build });
  return { app, api: api.current, closeApi: async () => void (await api.current()?.close()) };
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Unavailable('server.port_in_use', `Port ${port} on ${host} is in use: stop the other process or set PORT to a free port.`, undefined, { cause: error })
          : error,
      );
    });
  });
}

/** Stops accepting, lets in-flight requests finish (bounded), then drops idle keep-alive connections. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
