import { fork } from 'node:child_process';
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/start-database.js';
import { Unavailable } from '../errors/domain-error.js';
import type { SupervisedChild } from './supervisor.js';

/**
 * The web processes: `cli web` children under node:cluster, which hands the connections on the one
 * port to them in turn (one process or N alike). They use the database this process opened; sessions,
 * throttling and job state live in Postgres, so any of them can answer any request. A child is ready
 * once it listens (`onPort` learns the port, which PORT=0 leaves to the system).
 */
export function webProcesses(
  database: Database,
  sessionSecret: string,
): (onPort: (port: number) => void) => SupervisedChild {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./main.js', import.meta.url)), args: ['web'], silent: false });
  const env = {
    DATABASE_URL: database.url,
    DATABASE_OWNER_URL: database.ownerUrl,
    MODELDESK_FORKED: '1',
    SEED_DEMO_DATA: 'false',
    SESSION_SECRET: sessionSecret,
  };
  return (onPort) => {
    const child = cluster.fork(env);
    const ready = new Promise<void>((resolve, reject) => {
      child.once('listening', (address) => {
        onPort(address.port);
        resolve();
      });
      child.once('exit', (code, signal) =>
        reject(
          new Unavailable(
            'server.web_start_failed',
            `A web process exited during start-up (${signal ? `signal ${signal}` : `code ${code}`}); see its messages above.`,
          ),
        ),
      );
    });
    ready.catch(() => undefined); // the supervisor handles it (start-up fails, or a restart backs off)
    return { process: child.process, ready };
  };
}

/** One worker process beside the web server (separate, so training never stalls web requests). */
export function startWorkerProcess(database: Database): SupervisedChild {
  const child = fork(fileURLToPath(new URL('./main.js', import.meta.url)), ['worker'], {
    env: { ...process.env, DATABASE_URL: database.url, DATABASE_OWNER_URL: database.ownerUrl, MODELDESK_FORKED: '1' },
    stdio: 'inherit',
  });
  return { process: child, ready: Promise.resolve() };
}
