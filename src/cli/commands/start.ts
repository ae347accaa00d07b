import { fork, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_USERS } from '../../../seeders/demo-users.js';
import { needsFirstSeed, seedDemoData } from '../../../seeders/index.js';
import { systemActor } from '../../access/actor.js';
import { startQueue, stopQueue } from '../../jobs/queue.js';
import { Unavailable } from '../../errors/domain-error.js';
import { RequestStats } from '../../monitoring/request-stats.js';
import type { Database } from '../../db/start-database.js';
import { createApp } from '../../server/app.js';
import { formatChecks } from '../../server/checks.js';
import { logger } from '../../server/logger.js';
import { resolveSessionSecret } from '../../server/session-secret.js';
import { sessionOptions } from '../../server/session.js';
import type { Command } from '../command.js';
import { openDatabase, sessionPool } from '../open-database.js';
import { formatLogins } from '../print-logins.js';
import { waitForShutdownSignal } from '../shutdown-signal.js';

const SHUTDOWN_GRACE_MS = 10_000;

export const startCommand: Command = {
  name: 'start',
  summary: 'Start Postgres (embedded unless DATABASE_URL), migrate, seed an empty database, serve the console.',
  usage: 'npm start [-- --web-only]   (or: npm run cli -- start [--web-only])\n  --web-only: no worker process (run `npm run cli -- worker` elsewhere).',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { 'web-only': { type: 'boolean', default: false } }, strict: true });
    const started = performance.now();
    const stopped = waitForShutdownSignal();
    const say = (message: string) => console.log(message);
    const db = await openDatabase(say);
    let server: Server | undefined;
    let worker: ChildProcess | undefined;
    let requestStats: RequestStats | undefined;
    const pool = sessionPool(db.database.url);
    try {
      await startQueue(db.database.ownerUrl, db.config.JOB_HEARTBEAT_SECONDS);
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
      requestStats = new RequestStats(db.sequelize).start();
      const app = createApp({ config: db.config, sequelize: db.sequelize, session, console: buildConsole(db.config, session), requestStats });
      server = await listen(app, db.config.PORT, db.config.HOST);
      if (!values['web-only']) worker = startWorkerProcess(db.database);
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

      await stopped;
      say('Shutting down…');
      return 0;
    } finally {
      if (worker) await stopChild(worker);
      if (server) await close(server);
      await requestStats?.stop().catch(() => undefined);
      await stopQueue().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await db.close();
    }
  },
};

/** One worker process beside the web server (separate, so training never stalls web requests). */
function startWorkerProcess(database: Database): ChildProcess {
  const child = fork(fileURLToPath(new URL('../main.js', import.meta.url)), ['worker'], {
    env: { ...process.env, DATABASE_URL: database.url, DATABASE_OWNER_URL: database.ownerUrl, MODELDESK_FORKED: '1' },
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') logger.error({ code, signal }, 'worker process exited; queued jobs wait for another worker');
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
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
