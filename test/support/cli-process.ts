import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/platform/project-root.js';

/** The CLI as `npm run cli` runs it, started with node directly so that signals reach it. */
export const MAIN = path.join(projectRoot, 'dist', 'src', 'cli', 'main.js');

/** The session secret of CLI processes started against the test database. */
export const TEST_SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789';

export interface CliProcess {
  child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr. */
  output: () => string;
  /** From spawn to `ready` in its output. */
  seconds: number;
}

/**
 * `node [nodeArgs] main.js <args>`, resolved once its output contains `ready` (e.g. "Stop with
 * Ctrl-C." for `start`, "ready for" for `worker`); rejected with its output if it exits first or
 * is not ready within `timeoutMs`.
 */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: string,
  /** `main`: another build's main.js (a benchmark's baseline). */
  options: { nodeArgs?: readonly string[]; timeoutMs?: number; main?: string } = {},
): Promise<CliProcess> {
  const started = performance.now();
  // Production mode against a database of one's own requires SESSION_SECRET; '' means "leave it unset".
  const withSecret =
    env.DATABASE_URL && env.SESSION_SECRET === undefined ? { ...env, SESSION_SECRET: TEST_SESSION_SECRET } : env;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.main ?? MAIN, ...args], {
    env: withSecret,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const done = () => {
      clearInterval(poll);
      clearTimeout(timer);
    };
    const poll = setInterval(() => {
      if (!output.includes(ready)) return;
      done();
      resolve({ child, output: () => output, seconds: (performance.now() - started) / 1000 });
    }, 20);
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(`${args[0]} not ready after ${(options.timeoutMs ?? 120_000) / 1000} s:\n${output.slice(-2_000)}`),
      );
    }, options.timeoutMs ?? 120_000);
    child.once('exit', (code) => {
      done();
      reject(new Error(`${args[0]} exited (${code}) before it was ready:\n${output.slice(-2_000)}`));
    });
  });
}

/** Signals the process and resolves with its exit code once it has exited (at once if it already has). */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}
