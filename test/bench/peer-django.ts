// Drives the Django PEER app in ../shared/peer-django ("what a user would pick instead") so that a
// benchmark can measure it in the same run as ModelDesk: install, start/stop, seed, score_all,
// predict under wrk and gunicorn RSS. Mirrors the peer's own bench.sh; the peer folder is read-only.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../src/platform/project-root.js';
import { childrenOf, rssKiB } from './proc.js';

/** The peer's folder, beside this checkout. */
export const PEER_DIR = path.resolve(projectRoot, '..', 'shared', 'peer-django');

// The peer's settings, as its env.sh sets them (same overrides: PEER_RUN, PGROOT, PGPORT).
const PYTHON = '/usr/bin/python3'; // Debian python with the apt packages; NOT the pyenv shim on PATH
const PG_BIN = '/usr/lib/postgresql/15/bin';
const RUN_DIR = process.env.PEER_RUN ?? '/tmp/peer-django-run';
const PG_ROOT = process.env.PEER_PGROOT ?? '/tmp/peerpg';
const PG_PORT = process.env.PEER_PGPORT ?? '55432';
const PREDICT_URL = 'http://127.0.0.1:8011/api/v1/predict/';
const GUNICORN_PID = path.join(RUN_DIR, 'gunicorn.pid');
const TOKEN_FILE = path.join(RUN_DIR, 'token.txt');

/** Debian packages the peer needs (its README), and curl, which its start.sh polls gunicorn with. */
const PACKAGES = [
  'python3-django',
  'python3-djangorestframework',
  'gunicorn',
  'wrk',
  'python3-psycopg2',
  'python3-sklearn',
  'python3-numpy',
  'postgresql',
  'curl',
];

export type ScoreMode = 'sql' | 'orm';
export interface ScoreResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}
export interface PredictResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses that were not 2xx/3xx (wrk's "Non-2xx or 3xx responses"). */
  non2xx: number;
  /** Sum of wrk's socket errors (connect, read, write, timeout). */
  socketErrors: number;
  /** requestsPerSecond × batch. */
  rowsPerSecond: number;
}
export interface RssResult {
  totalMiB: number;
  processes: Array<{ pid: number; role: 'master' | 'worker'; rssMiB: number }>;
}

/**
 * The environment of env.sh: the peer's PEER_DB_* and run folder. Inherited PG*, PYTHON* (pyenv) and
 * Django variables are dropped so that neither ModelDesk's database settings nor pyenv leak into the peer.
 */
function peerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(PG|PYTHONPATH$|PYTHONHOME$|VIRTUAL_ENV$|DJANGO_)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    PEER_RUN: RUN_DIR,
    PEER_RUN_DIR: RUN_DIR,
    PGROOT: PG_ROOT,
    PGPORT: PG_PORT,
    PEER_DB_HOST: '127.0.0.1',
    PEER_DB_PORT: PG_PORT,
    PEER_DB_NAME: 'peer',
    PEER_DB_USER: 'postgres',
    PYTHONDONTWRITEBYTECODE: '1', // the peer folder may be read-only
  };
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Also copy the command's stdout to our stderr (progress output; our stdout is kept for results). */
  echoStdout?: boolean;
  /** Resolve instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
  /** Do not forward stderr (probes whose failure is an answer). */
  quiet?: boolean;
}
interface RunResult {
  code: number;
  stdout: string;
}

/** The last lines of a command's output, for error messages. */
const tail = (text: string, lines = 15) => text.trimEnd().split('\n').slice(-lines).join('\n');

/**
 * Runs a command in the peer's folder with its environment; stderr is forwarded to ours.
 * Throws an Error naming the command, its exit code and the tail of its output when it fails.
 */
function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const label = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: PEER_DIR,
      env: options.env ?? peerEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = ''; // stdout and stderr interleaved, for the error tail
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      output += chunk;
      if (options.echoStdout) process.stderr.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (!options.quiet) process.stderr.write(chunk);
    });
    child.on('error', (error) => reject(new Error(`${label}: could not start: ${error.message}`)));
    child.on('close', (code, signal) => {
      const status = code ?? -1;
      if (status === 0 || options.allowFailure) return resolve({ code: status, stdout });
      reject(new Error(`${label} failed with exit code ${code ?? `null (signal ${signal})`}:\n${tail(output)}`));
    });
  });
}

/** Packages of PACKAGES that dpkg does not list as installed. */
async function missingPackages(): Promise<string[]> {
  const { stdout } = await run('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...PACKAGES], {
    allowFailure: true,
    quiet: true,
  });
  const installed = new Set(
    stdout
      .split('\n')
      .filter((line) => / ii\s*$/.test(line))
      .map((line) => line.split(' ')[0]),
  );
  return PACKAGES.filter((name) => !installed.has(name));
}

/** Whether the peer's Python imports and binaries are usable. */
async function peerRuntimeWorks(): Promise<boolean> {
  const imports = await run(PYTHON, ['-c', 'import django, rest_framework, psycopg2, sklearn, numpy, gunicorn'], {
    allowFailure: true,
    quiet: true,
  });
  const binaries = await Promise.all(
    ['/usr/bin/wrk', '/usr/bin/curl', `${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`, `${PG_BIN}/psql`].map((file) =>
      fs.access(file).then(
        () => true,
        () => false,
      ),
    ),
  );
  return imports.code === 0 && binaries.every(Boolean);
}

let aptUpdated = false;

/**
 * Installs the peer's Debian packages when any is missing (apt-get update once per process, then
 * apt-get install -y, non-interactive; needs root). Skips apt entirely when all are there.
 * Returns the packages it installed (empty when none were missing).
 */
export async function ensurePeerInstalled(): Promise<string[]> {
  await fs.access(path.join(PEER_DIR, 'start.sh')).catch(() => {
    throw new Error(`The Django peer is not at ${PEER_DIR} (start.sh missing)`);
  });
  const missing = await missingPackages();
  if (missing.length === 0 && (await peerRuntimeWorks())) {
    process.stderr.write('peer-django: all packages already installed\n');
    return [];
  }
  if (process.getuid?.() !== 0)
    throw new Error(`peer-django needs ${missing.join(' ') || 'a reinstall'} (apt-get install), and we are not root`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => run('apt-get', args, { env, echoStdout: true });
  if (!aptUpdated) {
    process.stderr.write('peer-django: apt-get update\n');
    await apt(['update', '-q']);
    aptUpdated = true;
  }
  const toInstall = missing.length > 0 ? missing : PACKAGES;
  process.stderr.write(`peer-django: apt-get install -y ${toInstall.join(' ')}\n`);
  await apt([
    'install',
    '-y',
    '-q',
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
    ...toInstall,
  ]);
  if (!(await peerRuntimeWorks()))
    throw new Error(
      `peer-django: installed ${toInstall.join(' ')} but ${PYTHON} still cannot import the peer's modules or a binary is missing`,
    );
  return toInstall;
}

/** Starts PostgreSQL and gunicorn (the peer's start.sh: idempotent, writes under /tmp only). */
export async function startPeer(): Promise<void> {
  process.stderr.write('peer-django: start.sh\n');
  await run(path.join(PEER_DIR, 'start.sh'), [], { echoStdout: true });
}

/**
 * Stops gunicorn and PostgreSQL (the peer's stop.sh). Safe to call at any time, also when nothing
 * runs or the peer is not installed: it never throws, and returns false (with a warning) on failure.
 */
export async function stopPeer(): Promise<boolean> {
  try {
    await run(path.join(PEER_DIR, 'stop.sh'), [], { echoStdout: true });
    return true;
  } catch (error) {
    process.stderr.write(`peer-django: stop.sh failed, processes may be left running: ${(error as Error).message}\n`);
    return false;
  }
}

/** manage.py with the peer's python; stdout returned, echoed to stderr. */
const manage = (...args: string[]) => run(PYTHON, ['manage.py', ...args], { echoStdout: true });

/** Replaces the peer's records with `rows` synthetic ones (COPY), then VACUUM ANALYZE (not timed). Returns seconds. */
export async function peerSeed(rows: number): Promise<number> {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`peerSeed: rows must be a positive integer, not ${rows}`);
  const started = performance.now();
  await manage('seed', '--n', String(rows), '--truncate');
  const seconds = (performance.now() - started) / 1000;
  await run(`${PG_BIN}/psql`, [
    '-h',
    '127.0.0.1',
    '-p',
    PG_PORT,
    '-U',
    'postgres',
    '-d',
    'peer',
    '-qtA',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    'VACUUM (ANALYZE) app_record',
  ]);
  return seconds;
}

/** Scores every record (`manage.py score_all --mode M`); figures from its last line. */
export async function peerScoreAll(mode: ScoreMode): Promise<ScoreResult> {
  const { stdout } = await manage('score_all', '--mode', mode);
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  // e.g. "mode=sql scored 10000 rows in 0.41 s (24,390 rows/s)"
  const match = /^mode=\w+ scored (\d+) rows in ([\d.]+) s \(([\d,.]+) rows\/s\)$/.exec(last.trim());
  if (!match) throw new Error(`score_all --mode ${mode}: unexpected last line ${JSON.stringify(last)}`);
  return { rows: Number(match[1]), seconds: Number(match[2]), rowsPerSecond: Number(match[3]!.replaceAll(',', '')) };
}

/** wrk's latency ("812.00us", "11.80ms", "1.02s", "1.50m") in milliseconds. */
function wrkMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value);
  if (!match) throw new Error(`wrk: unexpected latency ${JSON.stringify(value)}`);
  const scale = { us: 0.001, ms: 1, s: 1_000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * scale;
}

/** The figures of `wrk --latency` output. */
export function parseWrk(output: string, batch: number): PredictResult {
  const find = (pattern: RegExp) => pattern.exec(output)?.[1];
  const rps = find(/^Requests\/sec:\s+([\d.]+)/m);
  const p50 = find(/^\s+50%\s+(\S+)/m);
  const p99 = find(/^\s+99%\s+(\S+)/m);
  if (rps === undefined || p50 === undefined || p99 === undefined)
    throw new Error(`wrk: could not parse its output:\n${tail(output)}`);
  const socket = /Socket errors:\s+connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const requestsPerSecond = Number(rps);
  return {
    requestsPerSecond,
    p50Ms: wrkMs(p50),
    p99Ms: wrkMs(p99),
    non2xx: Number(find(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0),
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    rowsPerSecond: requestsPerSecond * batch,
  };
}

/**
 * Load-tests POST /api/v1/predict/ like bench.sh's wrk_run: `wrk -t2 -c16 --latency -s post.lua`
 * with `batch` instances per request (1 = {"features"}, >1 = {"instances"}), after a 2 s warm-up.
 */
export async function peerPredict(batch: number, seconds: number): Promise<PredictResult> {
  if (!Number.isInteger(batch) || batch < 1 || batch > 1024)
    throw new Error(`peerPredict: batch must be an integer in 1..1024, not ${batch}`);
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new Error(`peerPredict: seconds must be a positive integer, not ${seconds}`);
  await fs.access(TOKEN_FILE).catch(() => {
    throw new Error(`peerPredict: no API token at ${TOKEN_FILE}; call startPeer() first`);
  });
  const script = ['-s', path.join(PEER_DIR, 'post.lua'), PREDICT_URL, '--', String(batch), TOKEN_FILE];
  await run('wrk', ['-t2', '-c16', '-d2s', ...script]); // warm-up, output dropped
  const { stdout } = await run('wrk', ['-t2', '-c16', `-d${seconds}s`, '--latency', ...script]);
  return parseWrk(stdout, batch);
}

/** gunicorn RSS, master + its workers, in MiB (bench.sh section (e)). */
export async function peerRss(): Promise<RssResult> {
  const master = Number((await fs.readFile(GUNICORN_PID, 'utf8').catch(() => '')).trim());
  if (!master) throw new Error(`peerRss: no gunicorn pid in ${GUNICORN_PID}; call startPeer() first`);
  const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
  const processes: RssResult['processes'] = [];
  let totalKiB = 0;
  for (const [pid, role] of [
    [master, 'master'] as const,
    ...(await childrenOf(master)).map((pid) => [pid, 'worker'] as const),
  ]) {
    const kib = await rssKiB(pid);
    if (kib === null) continue; // exited meanwhile
    processes.push({ pid, role, rssMiB: mib(kib) });
    totalKiB += kib;
  }
  if (!processes.some((p) => p.role === 'master')) throw new Error(`peerRss: gunicorn master ${master} is not running`);
  return { totalMiB: mib(totalKiB), processes };
}
