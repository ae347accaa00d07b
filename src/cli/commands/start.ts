import { fork, type ChildProcess } from 'node:child_process';
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_USERS } from '../../../seeders/demo-users.js';
import { needsFirstSeed, seedDemoData } from '../../../seeders/index.js';
import { systemActor } from '../../access/actor.js';
import type { Database } from '../../db/start-database.js';
import { logger } from '../../server/logger.js';
import { resolveSessionSecret } from '../../server/session-secret.js';
import { readTlsCredentials } from '../../server/tls.js';
import { UsageError, type Command } from '../command.js';
import { openDatabase } from '../open-database.js';
import { serveConsole, type ServingConsole } from '../serve-console.js';
import { formatLogins } from '../print-logins.js';
import { waitForShutdownSignal } from '../shutdown-signal.js';

const usage = `npm start [-- --web N] [--workers M] [--web-only]   (or: npm run cli -- start …)
  --web N: N web processes sharing the port (node:cluster; default 1)
  --workers M: M worker processes for background jobs (default 1); --web-only: none
  (run \`npm run cli -- worker\` or \`web\` elsewhere against the same DATABASE_URL).`;

export const startCommand: Command = {
  name: 'start',
  summary: 'Start Postgres (embedded unless DATABASE_URL), migrate, seed an empty database, serve the console.',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { 'web-only': { type: 'boolean', default: false }, web: { type: 'string', default: '1' }, workers: { type: 'string', default: '1' } },
      strict: true,
    });
    const webProcesses = Number(values.web);
    const workerProcesses = values['web-only'] ? 0 : Number(values.workers);
    if (!Number.isInteger(webProcesses) || webProcesses < 1 || webProcesses > 64) throw new UsageError('--web is a number of web processes, 1 to 64.');
    if (!Number.isInteger(workerProcesses) || workerProcesses < 0 || workerProcesses > 64) throw new UsageError('--workers is a number of worker processes, 0 to 64.');
    const started = performance.now();
    const stopped = waitForShutdownSignal();
    const say = (message: string) => console.log(message);
    const db = await openDatabase(say);
    let serving: ServingConsole | undefined;
    let webChildren: ClusterWorker[] = [];
    const workers: ChildProcess[] = [];
    try {
      let logins: Awaited<ReturnType<typeof seedDemoData>>['logins'] = [];
      if (db.config.SEED_DEMO_DATA && (await needsFirstSeed())) {
        say('First start: loading the demo datasets and creating one user per role…');
        const seeded = await seedDemoData(systemActor);
        logins = seeded.logins;
        for (const d of seeded.datasets) say(`  dataset ${d.name}: ${d.records} records`);
        for (const m of seeded.models) say(`  model ${m.name}: version 1 trained, test accuracy ${m.accuracy === null ? 'n/a' : `${(m.accuracy * 100).toFixed(1)}%`}, serving as production`);
      }
      let port = db.config.PORT;
      if (webProcesses === 1) {
        serving = await serveConsole(db, say);
        port = serving.port;
      } else {
        // The session secret is settled once here and handed to the web processes, so they do not race
        // to create it (and, forked with the embedded database's URL, are not taken for a deployment of your own).
        const sessionSecret = await resolveSessionSecret(db.sequelize, db.config, db.database);
        readTlsCredentials(db.config); // a bad TLS_CERT/TLS_KEY is reported once, here, not by every web process
        webChildren = await startWebProcesses(webProcesses, db.database, sessionSecret);
      }
      for (let i = 0; i < workerProcesses; i += 1) workers.push(startWorkerProcess(db.database));
      const host = db.config.HOST === '0.0.0.0' || db.config.HOST === '::' ? '127.0.0.1' : db.config.HOST;

      say('');
      say(`ModelDesk console: ${db.config.TLS_CERT ? 'https' : 'http'}://${host}:${port}/admin   (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
      say(`Processes: ${webProcesses} web${webProcesses > 1 ? ` (pids ${webChildren.map((w) => w.process.pid).join(', ')})` : ''}, ${workerProcesses} worker${workerProcesses === 1 ? '' : 's'}.`);
      say(`Database: ${db.database.embedded ? `embedded Postgres in ${db.config.DATA_DIR}` : 'DATABASE_URL'}`);
      if (logins.length > 0) {
        say(formatLogins(logins));
      } else {
        say(`Demo logins: ${DEMO_USERS.map((u) => u.email).join(', ')} (passwords were shown at first start;`);
        say('  set a new one with `npm run cli -- createuser --email admin@example.com --role admin`).');
      }
      say('Stop with Ctrl-C.');
      logger.info({ port, host: db.config.HOST, embedded: db.database.embedded, webProcesses, workerProcesses }, 'console listening');

      await stopped;
      say('Shutting down…');
      return 0;
    } finally {
      await Promise.all(workers.map(stopChild));
      await Promise.all(webChildren.map(stopClusterWorker));
      await serving?.close();
      await db.close();
    }
  },
};

/**
 * `--web N`: N processes serving the console on one port (node:cluster hands connections to them in
 * turn). They run `cli web` against the database this process opened; sessions, throttling and job
 * state live in Postgres, so any of them can answer any request. Resolves when all listen.
 */
async function startWebProcesses(count: number, database: Database, sessionSecret: string): Promise<ClusterWorker[]> {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('../main.js', import.meta.url)), args: ['web'], silent: false });
  const env = { DATABASE_URL: database.url, DATABASE_OWNER_URL: database.ownerUrl, MODELDESK_FORKED: '1', SEED_DEMO_DATA: 'false', SESSION_SECRET: sessionSecret };
  const children = Array.from({ length: count }, () => cluster.fork(env));
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.once('listening', () => resolve());
          child.once('exit', (code) => reject(new Error(`A web process exited during start-up (code ${code}); see its messages above.`)));
        }),
    ),
  );
  for (const child of children) {
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGTERM' && code !== 0) logger.error({ pid: child.process.pid, code, signal }, 'web process exited; the others keep serving');
    });
  }
  return children;
}

function stopClusterWorker(child: ClusterWorker): Promise<void> {
  if (child.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.process.kill('SIGKILL'), 25_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.process.kill('SIGTERM');
  });
}

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
