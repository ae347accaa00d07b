import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { CPU_FILE_ENV, FILE_DATABASE_ENV } from '../setup/runner-env.js';
import type { TestFile } from './test-files.js';

export interface FileResult {
  file: TestFile;
  seconds: number;
  /** User + system CPU seconds of its process and the processes it started (not its Postgres backends). */
  cpuSeconds: number | undefined;
  /** Seconds its mocha process was ready to run but waited for a core (the machine was busy). */
  waitSeconds: number | undefined;
  passed: number;
  failed: number;
  pending: number;
  exitCode: number;
  timedOut: boolean;
  log: string;
}

/** A file still running after this long is stopped and counted as failed (its log says where it was). */
const FILE_TIMEOUT_SECONDS = Number(process.env.TEST_FILE_TIMEOUT_SECONDS ?? 1800);

/**
 * Runs one test file in a mocha process of its own (so no module-level state, bound models or
 * queue can carry over from another file) on the database `databaseUrl`, its output kept in `log`.
 */
export function runFile(file: TestFile, databaseUrl: string, log: string, running: Set<number>): Promise<FileResult> {
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const out = fs.openSync(log, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js'], {
    env: {
      ...process.env,
      MOCHA_SPEC: JSON.stringify([file.path]),
      [FILE_DATABASE_ENV]: databaseUrl,
      [CPU_FILE_ENV]: `${log}.cpu`,
    },
    stdio: ['ignore', out, out],
    // A process group of its own, so that a timeout stops the servers and browsers it started too.
    detached: true,
  });
  const pid = child.pid ?? -1;
  running.add(pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(pid, 'SIGKILL');
  }, FILE_TIMEOUT_SECONDS * 1000);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(pid);
      // A process it started and left running is a leak too: say so, and stop it.
      const orphans = !timedOut && killGroup(pid, 'SIGKILL');
      fs.closeSync(out);
      if (timedOut)
        fs.appendFileSync(
          log,
          `\nStopped by the test runner after ${FILE_TIMEOUT_SECONDS} s (TEST_FILE_TIMEOUT_SECONDS).\n`,
        );
      if (orphans)
        fs.appendFileSync(
          log,
          '\nLeak: processes this file started were still running after it ended (stopped by the test runner).\n',
        );
      const text = readLog(log);
      const count = (word: string) => Number(text.match(new RegExp(`^\\s*(\\d+) ${word}`, 'm'))?.[1] ?? 0);
      resolve({
        file,
        seconds: (performance.now() - started) / 1000,
        ...readCpuFile(`${log}.cpu`),
        passed: count('passing'),
        failed: count('failing'),
        pending: count('pending'),
        exitCode: orphans ? 1 : (code ?? (signal ? 128 : 1)),
        timedOut,
        log,
      });
    });
  });
}

/** What the file's process wrote as it exited (test/setup/hooks.ts); undefined where it could not. */
function readCpuFile(file: string): Pick<FileResult, 'cpuSeconds' | 'waitSeconds'> {
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  try {
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.rmSync(file);
    return { cpuSeconds: number(written.cpuSeconds), waitSeconds: number(written.waitSeconds) };
  } catch {
    return { cpuSeconds: undefined, waitSeconds: undefined };
  }
}

/** Signals every process of the group led by `pid`; false when none was left. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** A file's log as plain text (mocha colours it when it thinks it writes to a terminal). */
export function readLog(file: string): string {
  return stripVTControlCharacters(fs.readFileSync(file, 'utf8'));
}
