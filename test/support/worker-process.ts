import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/server/project-root.js';
import { testDatabaseUrl } from '../setup/hooks.js';

const MAIN = path.join(projectRoot, 'dist', 'src', 'cli', 'main.js');
/** pg-boss's minimum: a job of a killed worker is handed on after about this long. */
export const WORKER_HEARTBEAT_SECONDS = 10;

/** A `cli worker` process on the test database, resolved once it says it is ready. */
export function startWorkerProcess(env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, 'worker'], {
    env: { ...process.env, DATABASE_URL: testDatabaseUrl(), JOB_HEARTBEAT_SECONDS: String(WORKER_HEARTBEAT_SECONDS), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (output.includes('ready for')) {
        clearInterval(poll);
        resolve(child);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`worker exited (${code}) before it was ready:\n${output}`));
    });
  });
}
