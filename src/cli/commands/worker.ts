import { parseArgs } from 'node:util';
import { queueTiming, startQueue, stopQueue } from '../../jobs/queue.js';
import { startWorker, stopWorker } from '../../jobs/run-worker.js';
import { logger } from '../../platform/logger.js';
import type { Command } from '../command.js';
import { waitForShutdownSignal } from '../shutdown-signal.js';
import { withDatabase } from '../open-database.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run background jobs (training, scoring, …) until stopped; run as many as you like.',
  usage: 'npm run cli -- worker',
  async run(argv) {
    parseArgs({ args: argv, options: {}, strict: true });
    const stopped = waitForShutdownSignal();
    return withDatabase(async ({ database, config }) => {
      await startQueue(database.ownerUrl, queueTiming(config));
      const kinds = await startWorker();
      logger.info({ kinds, pid: process.pid }, 'worker ready');
      console.log(`Worker ${process.pid} ready for: ${kinds.join(', ')}.`);
      await stopped;
      // Graceful: the job in hand stops after its current step (committed, checkpointed) and is queued
      // again for another worker; then the queue closes.
      // Bounded by half of SHUTDOWN_GRACE_SECONDS: under `npm start`, a worker that overstays the grace
      // period is SIGKILLed; its step's transaction then rolls back and the job resumes from its checkpoint.
      await stopWorker({ handOver: true });
      await stopQueue((config.SHUTDOWN_GRACE_SECONDS * 1000) / 2);
      return 0;
    });
  },
};
