import { parseArgs } from 'node:util';
import { DEMO_USERS } from '../../../seeders/demo-users.js';
import { needsFirstSeed, seedDemoData } from '../../../seeders/index.js';
import { systemActor } from '../../access/actor.js';
import { logger } from '../../platform/logger.js';
import { resolveSessionSecret } from '../../web/session-secret.js';
import { readTlsCredentials } from '../../web/tls.js';
import { startWorkerProcess, webProcesses } from '../child-processes.js';
import { UsageError, type Command } from '../command.js';
import { openDatabase } from '../open-database.js';
import { formatLogins } from '../print-logins.js';
import { waitForShutdownSignal } from '../shutdown-signal.js';
import { Supervisor, type ProcessSpec } from '../supervisor.js';

const usage = `npm start [-- --web N] [--workers M] [--web-only]   (or: npm run cli -- start …)
  --web N: N web processes sharing the port (node:cluster; default 1)
  --workers M: M worker processes for background jobs (default 1); --web-only: none
  (run \`npm run cli -- worker\` or \`web\` elsewhere against the same DATABASE_URL).
  A web process or worker that dies is started again (after 1 s, doubling to 60 s while it keeps dying).
  SIGTERM or Ctrl-C stops everything, waiting up to SHUTDOWN_GRACE_SECONDS for work in progress;
  a second signal stops everything at once.`;

export const startCommand: Command = {
  name: 'start',
  summary: 'Start Postgres (embedded unless DATABASE_URL), migrate, seed an empty database, serve the console.',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        'web-only': { type: 'boolean', default: false },
        web: { type: 'string', default: '1' },
        workers: { type: 'string', default: '1' },
      },
      strict: true,
    });
    const webCount = Number(values.web);
    const workerCount = values['web-only'] ? 0 : Number(values.workers);
    if (!Number.isInteger(webCount) || webCount < 1 || webCount > 64)
      throw new UsageError('--web is a number of web processes, 1 to 64.');
    if (!Number.isInteger(workerCount) || workerCount < 0 || workerCount > 64)
      throw new UsageError('--workers is a number of worker processes, 0 to 64.');
    const started = performance.now();
    let supervisor: Supervisor | undefined;
    // A second SIGINT/SIGTERM (or Ctrl-C pressed twice) does not wait for the grace period.
    const stopped = waitForShutdownSignal((signal) => {
      console.log(`${signal} again: stopping every process now.`);
      supervisor?.kill(`second ${signal}`);
    });
    const say = (message: string) => console.log(message);
    const db = await openDatabase(say);
    try {
      let logins: Awaited<ReturnType<typeof seedDemoData>>['logins'] = [];
      if (db.config.SEED_DEMO_DATA && (await needsFirstSeed())) {
        say('First start: loading the demo datasets and creating one user per role…');
        const seeded = await seedDemoData(systemActor);
        logins = seeded.logins;
        for (const d of seeded.datasets) say(`  dataset ${d.name}: ${d.records} records`);
        for (const m of seeded.models)
          say(
            `  model ${m.name}: version 1 trained, test accuracy ${m.accuracy === null ? 'n/a' : `${(m.accuracy * 100).toFixed(1)}%`}, serving as production`,
          );
      }
      // The session secret is settled once here and handed to the web processes, so they do not race
      // to create it (and, forked with the embedded database's URL, are not taken for a deployment of your own).
      const sessionSecret = await resolveSessionSecret(db.sequelize, db.config, db.database);
      readTlsCredentials(db.config); // a bad TLS_CERT/TLS_KEY is reported once, here, not by every web process
      // Web and worker processes are children of this one, never this process itself: one can die
      // (kill -9, out of memory) and be started again while the others keep serving.
      supervisor = new Supervisor(db.sequelize);
      const web = webProcesses(db.database, sessionSecret);
      let port = db.config.PORT;
      const specs: ProcessSpec[] = [
        ...Array.from({ length: webCount }, (_, i) => ({
          name: `web ${i + 1}`,
          kind: 'web' as const,
          start: () => web((p) => (port = p)),
        })),
        ...Array.from({ length: workerCount }, (_, i) => ({
          name: `worker ${i + 1}`,
          kind: 'worker' as const,
          start: () => startWorkerProcess(db.database),
        })),
      ];
      await supervisor.start(specs);
      const host = db.config.HOST === '0.0.0.0' || db.config.HOST === '::' ? '127.0.0.1' : db.config.HOST;

      say('');
      say(
        `ModelDesk console: ${db.config.TLS_CERT ? 'https' : 'http'}://${host}:${port}/admin   (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
      say(
        `Processes: ${webCount} web (pid${webCount === 1 ? '' : 's'} ${supervisor.pids('web').join(', ')}), ${workerCount} worker${workerCount === 1 ? '' : 's'}. One that dies is started again.`,
      );
      say(`Database: ${db.database.embedded ? `embedded Postgres in ${db.config.DATA_DIR}` : 'DATABASE_URL'}`);
      if (logins.length > 0) {
        say(formatLogins(logins));
      } else {
        say(`Demo logins: ${DEMO_USERS.map((u) => u.email).join(', ')} (passwords were shown at first start;`);
        say('  set a new one with `npm run cli -- createuser --email admin@example.com --role admin`).');
      }
      say('Stop with Ctrl-C.');
      logger.info(
        {
          port,
          host: db.config.HOST,
          embedded: db.database.embedded,
          webProcesses: webCount,
          workerProcesses: workerCount,
          pid: process.pid,
        },
        'console listening',
      );

      const reason = await stopped;
      say(
        `Shutting down (${reason}): up to ${db.config.SHUTDOWN_GRACE_SECONDS} s for requests and job steps in progress…`,
      );
      return 0;
    } finally {
      await supervisor?.stop(db.config.SHUTDOWN_GRACE_SECONDS * 1000);
      await db.close();
    }
  },
};
