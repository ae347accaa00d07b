import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/db/embedded-postgres.js';
import { projectRoot } from '../../../src/platform/project-root.js';
import { TEST_SESSION_SECRET } from '../../support/cli-process.js';
import { freePort } from '../../support/free-port.js';
import { WORKER_QUEUE_TIMING } from '../../support/worker-process.js';

const MAIN = path.join(projectRoot, 'dist', 'src', 'cli', 'main.js');

/** Polls `check` every 100 ms until it returns true or `ms` pass. */
async function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Records of the scoring job in flight when Postgres goes down; small chunks (the worker's
 * SCORE_CHUNK_ROWS) make it 60 steps long. The test checks that the job finished after Postgres went
 * down, so a job too short to be caught in flight fails it instead of passing without an outage.
 */
const ROWS = 15_000;
const CHUNK_ROWS = 250;

/** `main.js <args>` to its end: resolves with its stdout if it exits 0, else rejects with its stderr. */
async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, `${args[0]}: ${stderr}`);
  return stdout;
}

describe('Postgres restarted under running web and worker processes (real processes)', () => {
  let dataDir: string;
  let pgPort: number;
  let postgres: EmbeddedPostgres | undefined;
  let web: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let workerOutput = '';
  let env: NodeJS.ProcessEnv;
  let baseUrl: string;
  let key: string;

  before(async function () {
    this.timeout(300_000); // five CLI runs, a training and two processes starting: minutes on a loaded 2-core machine
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-pg-restart-'));
    pgPort = await freePort();
    postgres = await startEmbeddedPostgres({ dataDir, port: pgPort });
    const port = await freePort();
    const { DATABASE_OWNER_URL: _owner, ...rest } = process.env;
    env = {
      ...rest,
      DATABASE_URL: postgres.url,
      SESSION_SECRET: TEST_SESSION_SECRET,
      PORT: String(port),
      LOG_LEVEL: 'error',
      SEED_DEMO_DATA: 'false',
      // The queue timing of the test's worker processes, in the web process too: each writes its own
      // into the queues' policy when it starts, and the job is queued through the web process.
      JOB_HEARTBEAT_SECONDS: String(WORKER_QUEUE_TIMING.heartbeatSeconds),
      JOB_RETRY_DELAY_SECONDS: String(WORKER_QUEUE_TIMING.retryDelaySeconds),
    };
    baseUrl = `http://127.0.0.1:${port}`;
    const migrated = spawnSync(process.execPath, [MAIN, 'migrate'], { env, encoding: 'utf8' });
    assert.equal(migrated.status, 0, migrated.stderr);
    // The web and worker processes start (tens of seconds on a loaded machine) while the CLI makes the
    // user, the dataset, the model and the key: the CLI runs are async so the test process stays responsive.
    web = spawn(process.execPath, [MAIN, 'web'], { env, stdio: 'ignore' });
    worker = spawn(process.execPath, [MAIN, 'worker'], {
      env: { ...env, SCORE_CHUNK_ROWS: String(CHUNK_ROWS), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
    worker.stderr!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
    await cli(
      env,
      'createuser',
      '--email',
      'ops@example.com',
      '--role',
      'data_scientist',
      '--password',
      'amber kettle harbour lantern',
    );
    // A model with a trained version on a generated dataset: something for a job to work on.
    await cli(env, 'generate', '--dataset', 'restart', '--rows', String(ROWS), '--task', 'tabular');
    const sql = new pg.Client({ connectionString: postgres.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO models (name, dataset_id, task, created_at, updated_at) SELECT 'restart-model', id, task, now(), now() FROM datasets WHERE name = 'restart'`,
    );
    await sql.end();
    await cli(env, 'train', '--model', 'restart-model', '--max-iterations', '2');
    key = (
      await cli(
        env,
        'create-api-key',
        '--owner',
        'ops@example.com',
        '--name',
        'restart',
        '--scopes',
        'predict,jobs:write',
      )
    ).trim();
    assert.ok(
      await eventually(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, 60_000),
      'the web process is ready',
    );
  });

  after(async () => {
    for (const child of [web, worker]) {
      if (!child || child.exitCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await postgres?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 (with Retry-After) while Postgres is down and serves again by itself once it is back', async () => {
    const models = () => fetch(`${baseUrl}/api/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal((await models()).status, 200);

    await postgres!.stop();
    postgres = undefined;
    let outage: Response | undefined;
    assert.ok(
      await eventually(async () => (outage = await models()).status === 503, 10_000),
      'API calls fail with 503 during the outage',
    );
    assert.equal(outage!.headers.get('retry-after'), '5');
    assert.equal(((await outage!.json()) as { code: string }).code, 'database.unavailable');
    assert.equal((await fetch(`${baseUrl}/readyz`)).status, 503);
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200, 'the process itself stays up');

    postgres = await startEmbeddedPostgres({ dataDir, port: pgPort });
    assert.ok(await eventually(async () => (await models()).status === 200), 'the web process reconnects by itself');
    assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200);
    assert.equal(web!.exitCode, null, 'and never exited');
  });

  it('loses no job: one in flight when Postgres goes down finishes afterwards, every record scored once; a job asked for during the outage is refused (503), not dropped', async function () {
    this.timeout(420_000);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${baseUrl}/api/v1${path}`, {
        ...init,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      });
    const queued = await api('/models/restart-model/score', { method: 'POST', body: JSON.stringify({ version: 1 }) });
    assert.equal(queued.status, 202, await queued.clone().text());
    const { id } = ((await queued.json()) as { job: { id: number } }).job;
    const job = async () =>
      (await (await api(`/jobs/${id}`)).json()) as {
        status: string;
        progress: { done: number | null };
        result: { scored: number } | null;
        attempts: number;
      };
    assert.ok(
      await eventually(async () => ((await job()).progress.done ?? 0) >= ROWS / 10, 60_000),
      `the job is under way (${JSON.stringify(await job())}); worker:\n${workerOutput.slice(-2_000)}`,
    );

    const outageAt = new Date();
    await postgres!.stop();
    postgres = undefined;
    const refused = await api('/models/restart-model/score', { method: 'POST', body: JSON.stringify({ version: 1 }) });
    assert.equal(refused.status, 503, 'a job cannot be queued while Postgres is down, and the caller is told so');
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // an outage long enough for the worker's writes to fail
    postgres = await startEmbeddedPostgres({ dataDir, port: pgPort });

    let last: Awaited<ReturnType<typeof job>> | undefined;
    assert.ok(
      // Minutes on a loaded machine: the worker's writes fail during the outage, then the job resumes from its checkpoint.
      await eventually(async () => ['succeeded', 'failed'].includes((last = await job()).status), 300_000),
      `the job ends (${last?.status}, ${JSON.stringify(last?.progress)}); worker:\n${workerOutput.slice(-3_000)}`,
    );
    assert.equal(last!.status, 'succeeded', `worker:\n${workerOutput.slice(-3_000)}`);
    assert.equal(last!.result?.scored, ROWS, 'every record counted once');
    const sql = new pg.Client({ connectionString: postgres.url });
    await sql.connect();
    const { rows } = await sql.query<{ predictions: number; jobs: number }>(
      `SELECT (SELECT count(*) FROM record_predictions WHERE job_id = $1)::int AS predictions, (SELECT count(*) FROM jobs)::int AS jobs`,
      [id],
    );
    const { rows: ended } = await sql.query<{ finishedAt: Date }>(
      'SELECT finished_at AS "finishedAt" FROM jobs WHERE id = $1',
      [id],
    );
    await sql.end();
    assert.ok(ended[0]!.finishedAt > outageAt, 'the job was still in flight when Postgres went down');
    assert.deepEqual(
      rows[0],
      { predictions: ROWS, jobs: 1 },
      'one prediction per record, and no stray job from the refused request',
    );
    assert.equal(worker!.exitCode, null, 'the worker rode out the outage');
  });
});
