import type { ChildProcess } from 'node:child_process';
import { startCli } from './cli-process.js';
import type { QueueTiming } from '../../src/jobs/queue.js';
import { testDatabaseUrl } from '../setup/hooks.js';

/**
 * The queue timing of worker processes, and of a test process that queues jobs for them (each process
 * writes its timing into the queues' policy when it starts): pg-boss's minimum heartbeat and a
 * one-second retry delay, so a killed worker's job is handed on after about 10–16 s.
 */
export const WORKER_QUEUE_TIMING: QueueTiming = { heartbeatSeconds: 10, retryDelaySeconds: 1 };

/** A `cli worker` process on the test database, resolved once it says it is ready. */
export async function startWorkerProcess(env: Record<string, string> = {}): Promise<ChildProcess> {
  const worker = await startCli(
    ['worker'],
    {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      JOB_HEARTBEAT_SECONDS: String(WORKER_QUEUE_TIMING.heartbeatSeconds),
      JOB_RETRY_DELAY_SECONDS: String(WORKER_QUEUE_TIMING.retryDelaySeconds),
      LOG_LEVEL: 'warn',
      ...env,
    },
    'ready for',
  );
  return worker.child;
}
