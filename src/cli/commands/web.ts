import { parseArgs } from 'node:util';
import { logger } from '../../platform/logger.js';
import type { Command } from '../command.js';
import { withDatabase } from '../open-database.js';
import { waitForShutdownSignal } from '../shutdown-signal.js';
import { serveWeb } from '../../web/serve-web.js';

export const webCommand: Command = {
  name: 'web',
  summary:
    'Serve the console, the REST API and the health and metrics endpoints (no worker, no seeding): one of many web processes against one Postgres.',
  usage: 'npm run cli -- web   (with DATABASE_URL; PORT as configured)',
  async run(argv) {
    parseArgs({ args: argv, options: {}, strict: true });
    const stopped = waitForShutdownSignal();
    return withDatabase(async (db) => {
      const serving = await serveWeb(db, (message) => console.log(message));
      logger.info({ port: serving.port, pid: process.pid }, 'web process listening');
      await stopped;
      await serving.close();
      return 0;
    });
  },
};
