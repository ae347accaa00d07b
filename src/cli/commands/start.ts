import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { DEMO_USERS } from '../../../seeders/demo-users.js';
import { needsFirstSeed, seedDemoData } from '../../../seeders/index.js';
import { systemActor } from '../../access/actor.js';
import { createApp } from '../../server/app.js';
import { formatChecks } from '../../server/checks.js';
import { logger } from '../../server/logger.js';
import { resolveSessionSecret } from '../../server/session-secret.js';
import { sessionOptions } from '../../server/session.js';
import type { Command } from '../command.js';
import { openDatabase, sessionPool } from '../open-database.js';
import { formatLogins } from '../print-logins.js';

const SHUTDOWN_GRACE_MS = 10_000;

export const startCommand: Command = {
  name: 'start',
  summary: 'Start Postgres (embedded unless DATABASE_URL), migrate, seed an empty database, serve the console.',
  usage: 'npm start   (or: npm run cli -- start)',
  async run(argv) {
    parseArgs({ args: argv, options: {}, strict: true });
    const started = performance.now();
    const say = (message: string) => console.log(message);
    const db = await openDatabase(say);
    let server: Server | undefined;
    const pool = sessionPool(db.database.url);
    try {
      // The composition root: the only place in src/ that loads the AdminJS console (admin/ imports src/, not the reverse).
      const { buildConsole, consoleChecks } = await import('../../../admin/index.js');
      const problems = consoleChecks();
      if (problems.some((p) => p.level === 'error')) throw new Error(`Startup checks failed:\n${formatChecks(problems)}`);
      if (problems.length > 0) say(formatChecks(problems));

      let logins: Awaited<ReturnType<typeof seedDemoData>>['logins'] = [];
      if (db.config.SEED_DEMO_DATA && (await needsFirstSeed())) {
        say('First start: loading the demo datasets and creating one user per role…');
        const seeded = await seedDemoData(systemActor);
        logins = seeded.logins;
        for (const d of seeded.datasets) say(`  dataset ${d.name}: ${d.records} records`);
        for (const m of seeded.models) say(`  model ${m.name}: version 1 trained, test accuracy ${m.accuracy === null ? 'n/a' : `${(m.accuracy * 100).toFixed(1)}%`}, serving as production`);
      }

      const sessionSecret = await resolveSessionSecret(db.sequelize, db.config.SESSION_SECRET);
      const session = { ...sessionOptions(pool, sessionSecret, db.config), secret: sessionSecret };
      const app = createApp({ config: db.config, sequelize: db.sequelize, session, console: buildConsole(db.config, session) });
      server = await listen(app, db.config.PORT, db.config.HOST);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : db.config.PORT;
      const host = db.config.HOST === '0.0.0.0' || db.config.HOST === '::' ? '127.0.0.1' : db.config.HOST;

      say('');
      say(`ModelDesk console: http://${host}:${port}/admin   (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
      say(`Database: ${db.database.embedded ? `embedded Postgres in ${db.config.DATA_DIR}` : 'DATABASE_URL'}`);
      if (logins.length > 0) {
        say(formatLogins(logins));
      } else {
        say(`Demo logins: ${DEMO_USERS.map((u) => u.email).join(', ')} (passwords were shown at first start;`);
        say('  set a new one with `npm run cli -- createuser --email admin@example.com --role admin`).');
      }
      say('Stop with Ctrl-C.');
      logger.info({ port, host: db.config.HOST, embedded: db.database.embedded }, 'console listening');

      await waitForShutdownSignal();
      say('Shutting down…');
      return 0;
    } finally {
      if (server) await close(server);
      await pool.end().catch(() => undefined);
      await db.close();
    }
  },
};

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${host} is in use: stop the other process or set PORT to a free port.`, { cause: error })
          : error,
      );
    });
  });
}

/** Stops accepting, lets in-flight requests finish (bounded), then drops idle keep-alive connections. */
function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
