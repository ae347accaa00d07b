import type { ChildProcess } from 'node:child_process';
import { startCli } from './cli-process.js';
import { testDatabaseUrl } from '../setup/hooks.js';

/** pg-boss's minimum: a job of a killed worker is handed on after about this long. */
export const WORKER_HEARTBEAT_SECONDS = 10;

/** A `cli worker` process on the test database, resolved once it says it is ready. */
export async function startWorkerProcess(env: Record<string, string> = {}): Promise<ChildProcess> {
  const worker = await startCli(
    ['worker'],
    {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      JOB_HEARTBEAT_SECONDS: String(WORKER_HEARTBEAT_SECONDS),
      LOG_LEVEL: 'warn',
      ...env,
    },
    'ready for',
  );
  return worker.child;
}
