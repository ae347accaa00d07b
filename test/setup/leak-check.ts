import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { FILE_DATABASE_ENV } from './runner-env.js';

/** How long a test process may live on after its last root hook before it counts as leaking. */
const GRACE_SECONDS = Number(process.env.TEST_LEAK_SECONDS ?? 10);

/**
 * Arms the leak check at the end of the run: mocha runs without `--exit`, so a socket, timer, server
 * or child process that a test left open keeps the process alive. An unref'd timer fires only in that
 * case: it names what is still open and fails the run (exit 1) instead of letting it hang or, as
 * `exit: true` did, hiding it.
 */
export function armLeakCheck(): void {
  setTimeout(() => {
    const resources = process.getActiveResourcesInfo();
    const counts = new Map<string, number>();
    for (const type of resources) counts.set(type, (counts.get(type) ?? 0) + 1);
    const lines = [
      `Leak: the test process is still running ${GRACE_SECONDS} s after its tests ended. Still open:`,
      ...[...counts].map(([type, count]) => `  ${type} ×${count}`),
      ...openHandles().map((handle) => `  ${handle}`),
      'Close these in an after/afterEach hook (timers: clearTimeout/clearInterval; servers, pools, clients: stop/end/close).',
    ];
    process.stderr.write(`${lines.join('\n')}\n`);
    // Mocha (without --exit) sets the exit code to its failure count in an 'exit' listener, which
    // would turn this exit into 0: a listener added now runs after it.
    process.on('exit', () => {
      process.exitCode = 1;
    });
    process.exit(1);
  }, GRACE_SECONDS * 1000).unref();
}

/** The handles Node can name in more detail than their type: sockets, servers and child processes. */
function openHandles(): string[] {
  // Node's only way to see the objects behind getActiveResourcesInfo(); undocumented, hence optional.
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  const own: unknown[] = [process.stdin, process.stdout, process.stderr];
  return handles
    .filter((handle) => !own.includes(handle))
    .map(describe)
    .filter((text): text is string => text !== undefined);
}

function describe(handle: unknown): string | undefined {
  if (handle instanceof net.Socket) {
    if (handle.remotePort === undefined) return 'a pipe (stdio of a child process?)';
    return `a socket ${handle.localAddress}:${handle.localPort} → ${handle.remoteAddress}:${handle.remotePort}${isPostgresPort(handle.remotePort) ? ' (Postgres: a pool or client not ended?)' : ''}`;
  }
  if (handle instanceof net.Server) {
    const address = handle.address();
    return `a server listening on ${typeof address === 'string' ? address : `${address?.address}:${address?.port}`}`;
  }
  if (isChildProcess(handle)) return `a child process, pid ${handle.pid}: ${handle.spawnargs.join(' ').slice(0, 200)}`;
  return undefined;
}

function isPostgresPort(port: number): boolean {
  const url = process.env[FILE_DATABASE_ENV] ?? process.env.TEST_DATABASE_URL;
  return url !== undefined && Number(new URL(url).port || 5432) === port;
}

function isChildProcess(handle: unknown): handle is ChildProcess {
  return typeof handle === 'object' && handle !== null && 'spawnargs' in handle && 'pid' in handle;
}
