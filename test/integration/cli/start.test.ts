import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { buildExternalOnnx, fitCentroids } from '../../support/external-onnx.js';
import { freePort } from '../../support/free-port.js';
import { HttpSession } from '../../support/console-server.js';
import { MAIN, startCli, stopProcess } from '../../support/cli-process.js';

/** `npm start` as a user runs it (node directly, so that signals reach the server and not npm). */
// A first start seeds and trains two models before the web and worker processes start: on a busy
// machine that alone took over 120 s.
/**
 * Marks the processes this file starts (children inherit it), so that counting them ignores any other
 * `main.js worker` on the machine: test groups run side by side (test/run-tests.mjs).
 */
const MARK = `MODELDESK_TEST_MARK=${process.pid}-${Date.now()}`;
/** What the last `start` printed, shown when a test fails (a web process that died says why there). */
let lastOutput: () => string = () => '';
const start = async (env: NodeJS.ProcessEnv, args: string[] = []) => {
  const started = await startCli(
    ['start', ...args],
    { ...env, MODELDESK_TEST_MARK: MARK.split('=')[1] },
    'Stop with Ctrl-C.',
    { timeoutMs: 300_000 },
  );
  lastOutput = started.output;
  return started;
};
const stop = stopProcess;

function postmasterPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'postgres', 'postmaster.pid');
  return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** Live `main.js <command>` processes that this file's `npm start` forked (the workers and web processes). */
function childProcesses(command: 'worker' | 'web'): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return (
          fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `${process.execPath}\0${MAIN}\0${command}\0` &&
          fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(MARK) &&
          alive(Number(pid))
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}
const workerProcesses = () => childProcesses('worker');

/** A GET on a new TCP connection (no keep-alive), so node:cluster may hand it to another process. */
function freshGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { ...headers, connection: 'close' } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

/** A JSON POST on a new TCP connection (see freshGet). */
function freshPost(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', connection: 'close' },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

describe('npm start (embedded Postgres, real processes)', function () {
  // A first start seeds and trains before it is ready (startCli waits up to 300 s for that): each test
  // gets the time to start and stop npm start, twice for the kill -9 one, on a loaded machine.
  this.timeout(600_000);
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let baseUrl: string;
  let adminPassword: string;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-start-'));
    const port = await freePort();
    const { DATABASE_URL: _ignored, ...rest } = process.env;
    env = {
      ...rest,
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`npm start printed:\n${lastOutput().slice(-8_000)}`);
  });

  after(() => {
    const pid = postmasterPid(dataDir);
    if (alive(pid)) process.kill(pid!, 'SIGQUIT');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('first start: creates the cluster, seeds real data, prints the URL and one login per role', async () => {
    const { child, output } = await start(env);
    try {
      const text = output();
      assert.match(text, new RegExp(`${baseUrl}/admin`));
      assert.ok(
        await eventually(() => workerProcesses().length === 1),
        'one worker process runs beside the web server',
      );
      assert.match(text, /dataset spam-assassin: 6046 records/);
      assert.match(
        text,
        /model spam-filter: version 1 trained, test accuracy (9[5-9]|100)\.\d%, serving as production/,
      );
      assert.match(text, /model penguin-species: version 1 trained, test accuracy (9[5-9]|100)\.\d%/);
      const logins = [...text.matchAll(/^\s+(\S+@example\.com)\s+(\S+)\s+\((\w+)\)$/gm)];
      assert.deepEqual(logins.map((m) => m[3]).sort(), ['admin', 'auditor', 'content_manager', 'data_scientist']);
      adminPassword = logins.find((m) => m[3] === 'admin')![2]!;

      assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200);
      const http = new HttpSession(baseUrl);
      assert.equal((await http.login('admin@example.com', adminPassword)).status, 302);
      const list = await http.api('/resources/datasets/actions/list');
      const body = (await list.json()) as { records: Array<{ params: { name: string } }> };
      assert.deepEqual(body.records.map((r) => r.params.name).sort(), ['penguins', 'spam-assassin']);

      // A CLI command while the server runs shares its Postgres instead of fighting over it.
      const cli = spawnSync(
        process.execPath,
        [MAIN, 'createuser', '--email', 'ops@example.com', '--role', 'auditor', '--password', 'amber kettle harbour'],
        { env, encoding: 'utf8' },
      );
      assert.equal(cli.status, 0, cli.stderr + cli.stdout);
      assert.equal((await new HttpSession(baseUrl).login('ops@example.com', 'amber kettle harbour')).status, 302);
      assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200, 'the server still answers after the CLI exits');
      assert.doesNotMatch(output(), /restarting it in/, 'no web process or worker died and was restarted');
    } finally {
      const code = await stop(child);
      assert.equal(code, 0, 'SIGTERM exits 0');
    }
    assert.equal(alive(postmasterPid(dataDir)), false, 'embedded Postgres stopped with the server');
    assert.deepEqual(workerProcesses(), [], 'the worker process stopped with the server');
  });

  it('cli migrate and seed find nothing to do on a started database', () => {
    const migrate = spawnSync(process.execPath, [MAIN, 'migrate'], { env, encoding: 'utf8' });
    assert.equal(migrate.status, 0, migrate.stderr);
    assert.match(migrate.stdout, /Schema is up to date/);
    const seed = spawnSync(process.execPath, [MAIN, 'seed'], { env, encoding: 'utf8' });
    assert.equal(seed.status, 0, seed.stderr);
    assert.match(seed.stdout, /already present/);
    const train = spawnSync(
      process.execPath,
      [MAIN, 'train', '--model', 'penguin-species', '--max-iterations', '300', '--auto-promote'],
      { env, encoding: 'utf8' },
    );
    assert.equal(train.status, 0, train.stderr);
    assert.match(train.stdout, /Registered penguin-species v2 .* test accuracy \d+\.\d% on \d+ rows/);
    assert.match(train.stdout, /(Promoted to production|Not promoted): accuracy \d\.\d{4} .* production v1/);
    const verify = spawnSync(process.execPath, [MAIN, 'verify-audit'], { env, encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(verify.stdout, /Audit chain intact: \d+ events verified\.\nHead: \d+:[0-9a-f]{64}/);
    const head = /Head: (\d+:[0-9a-f]{64})/.exec(verify.stdout)![1]!;
    const anchored = spawnSync(process.execPath, [MAIN, 'verify-audit', '--anchor', head], { env, encoding: 'utf8' });
    assert.equal(anchored.status, 0, anchored.stderr);
    assert.match(anchored.stdout, /1 anchor\(s\) matched/);
    const unknown = spawnSync(process.execPath, [MAIN, 'train', '--model', 'nope'], { env, encoding: 'utf8' });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /No model named "nope"/);
    const help = spawnSync(process.execPath, [MAIN, 'createuser', '--role', 'admin'], { env, encoding: 'utf8' });
    assert.equal(help.status, 2);
    assert.match(help.stderr, /--email and --role are required/);
  });

  it('cli upload-model registers an external ONNX file, and explains a bad one', () => {
    const species = ['Adelie', 'Chinstrap', 'Gentoo'];
    const rows = [0, 1, 2].map((c) => Float64Array.from([40 + 5 * c, 18 - c, 190 + 15 * c, 3_700 + 800 * c, c, c % 2]));
    const good = path.join(dataDir, 'penguins_lr.onnx');
    fs.writeFileSync(good, buildExternalOnnx(fitCentroids(rows, species, species)));
    const upload = spawnSync(
      process.execPath,
      [MAIN, 'upload-model', '--model', 'penguin-species', '--file', good, '--labels', species.join(',')],
      { env, encoding: 'utf8' },
    );
    assert.equal(upload.status, 0, upload.stderr);
    assert.match(
      upload.stdout,
      /Registered penguin-species v\d+ from penguins_lr\.onnx \(\d+ bytes, sha256 [0-9a-f]{12}…\): checked on \d+ records, class order from the uploader, test accuracy \d+\.\d% on \d+ rows/,
    );
    const bad = path.join(dataDir, 'notes.onnx');
    fs.writeFileSync(bad, 'not a model');
    const refused = spawnSync(process.execPath, [MAIN, 'upload-model', '--model', 'penguin-species', '--file', bad], {
      env,
      encoding: 'utf8',
    });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /"notes\.onnx" is not a valid ONNX file/);
    const missing = spawnSync(
      process.execPath,
      [MAIN, 'upload-model', '--model', 'penguin-species', '--file', path.join(dataDir, 'nope.onnx')],
      { env, encoding: 'utf8' },
    );
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /Cannot read .*nope\.onnx/);
  });

  it('cli score queues a scoring job, works on it and prints its result; a missing alias is a clear error', () => {
    const score = spawnSync(process.execPath, [MAIN, 'score', '--model', 'penguin-species', '--split', 'test'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(score.status, 0, score.stderr);
    assert.match(score.stdout, /Queued job \d+: score \d+ records with penguin-species v\d+ \(production\)\./);
    const result = JSON.parse(score.stdout.slice(score.stdout.indexOf('{'))) as {
      scored: number;
      invalid: { count: number };
      labelDistribution: Record<string, number>;
    };
    assert.ok(result.scored > 0);
    assert.deepEqual(Object.keys(result.labelDistribution).sort(), ['Adelie', 'Chinstrap', 'Gentoo']);
    const missing = spawnSync(process.execPath, [MAIN, 'score', '--model', 'penguin-species', '--alias', 'staging'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /has no alias "staging": promote a version to it first/);
  });

  /** The Postgres a kill -9 of `npm start` left running, for the next start to adopt. */
  let orphan: number | undefined;

  // Each start costs a web process, a worker and a Postgres start: the second start (checked while it
  // runs) is the one killed with -9, and the start after it (--web 2 --workers 2) the one that adopts.
  it('second start: reuses the data, prints no passwords; a kill -9 leaves its Postgres running and its worker exits', async () => {
    const second = await start(env);
    try {
      assert.doesNotMatch(second.output(), /First start/);
      assert.match(second.output(), /passwords were shown at first start/);
      assert.equal((await new HttpSession(baseUrl).login('admin@example.com', adminPassword)).status, 302);
    } catch (error) {
      await stop(second.child);
      throw error;
    }
    orphan = postmasterPid(dataDir);
    await stop(second.child, 'SIGKILL');
    assert.equal(alive(orphan), true, 'Postgres outlived the killed server');
    assert.ok(await eventually(() => workerProcesses().length === 0), 'the worker noticed its parent died and exited');
  });

  it('--web 2 --workers 2 after the kill -9: adopts the orphaned Postgres, both web processes serve one session, a queued job runs once, all stop on SIGTERM, Postgres too', async () => {
    assert.ok(orphan, 'the test before left a Postgres running');
    const { child, output } = await start(env, ['--web', '2', '--workers', '2']);
    try {
      assert.match(output(), /Adopting the embedded Postgres/);
      assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200);
      assert.match(output(), /Processes: 2 web \(pids \d+, \d+\), 2 workers\./);
      assert.ok(
        await eventually(() => workerProcesses().length === 2 && childProcesses('web').length === 2),
        'two workers and two web processes run',
      );
      const http = new HttpSession(baseUrl);
      assert.equal((await http.login('admin@example.com', adminPassword)).status, 302);
      // New connections are handed to the web processes in turn: the session works on both.
      const cookie = [...http.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const pids = new Set<number>();
      for (let i = 0; i < 4; i += 1)
        pids.add((JSON.parse((await freshGet(`${baseUrl}/healthz`, {})).body) as { pid: number }).pid);
      assert.equal(pids.size, 2, `answered by ${[...pids].join(', ')}`);
      for (let i = 0; i < 4; i += 1) {
        const answer = await freshGet(`${baseUrl}/admin/api/resources/models/actions/list`, {
          accept: 'application/json',
          cookie,
        });
        assert.equal(answer.status, 200, 'signed in on every web process (connections alternate between them)');
      }

      const models = (await (await http.api('/resources/models/actions/list')).json()) as {
        records: Array<{ id: string; params: { name: string } }>;
      };
      const penguins = models.records.find((m) => m.params.name === 'penguin-species')!;
      const queued = (await (
        await http.api(`/resources/models/records/${penguins.id}/train`, 'POST', { maxIterations: '10' })
      ).json()) as { redirectUrl: string };
      const jobId = /records\/(\d+)\/show/.exec(queued.redirectUrl)![1];
      let job: { status: string; attempts: number; lockedBy?: string } = { status: 'queued', attempts: 0 };
      const deadline = Date.now() + 60_000;
      while (!['succeeded', 'failed'].includes(job.status) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const shown = (await (await http.api(`/resources/jobs/records/${jobId}/show`)).json()) as {
          record: { params: Record<string, unknown> };
        };
        job = { status: String(shown.record.params.status), attempts: Number(shown.record.params.attempts) };
      }
      assert.deepEqual(job, { status: 'succeeded', attempts: 1 }, 'run once, by one worker');
      const starts = (await (
        await http.api(`/resources/auditEvents/actions/list?filters.action=jobs.start&filters.recordIds=${jobId}`)
      ).json()) as { meta: { total: number } };
      assert.equal(starts.meta.total, 1);

      // The API across both web processes: one key's throttle is shared, and a promotion made through
      // one process is served by both within a second.
      const issue = (rateLimit?: number) => {
        const args = [
          MAIN,
          'create-api-key',
          '--owner',
          'admin@example.com',
          '--name',
          'two processes',
          '--scopes',
          'predict',
          ...(rateLimit ? ['--rate-limit', String(rateLimit)] : []),
        ];
        const made = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
        assert.equal(made.status, 0, made.stderr);
        assert.match(made.stderr, /Issued API key mdk_[a-z0-9]{8} for admin@example\.com \(scopes: predict\)/);
        return made.stdout.trim();
      };
      const penguin = {
        beak_length_mm: 39.1,
        beak_depth_mm: 18.7,
        flipper_length_mm: 181,
        body_mass_g: 3750,
        island: 'Torgersen',
        sex: 'MALE',
      };
      const predictUrl = `${baseUrl}/api/v1/models/penguin-species/predict`;
      const limited = issue(10);
      let allowed = 0;
      let refused = 0;
      for (let i = 0; i < 30; i += 1) {
        const answer = await freshPost(predictUrl, { authorization: `Bearer ${limited}` }, { instances: [penguin] });
        if (answer.status === 200) allowed += 1;
        else if (answer.status === 429) refused += 1;
        else assert.fail(`unexpected ${answer.status}: ${answer.body}`);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      // Unshared counters would let 10 through on each process (20); shared ones 10, plus what the other
      // process let through before its next sync (every 200 ms).
      assert.ok(
        allowed >= 10 && allowed <= 14,
        `${allowed} of 30 allowed with a limit of 10 per minute over two processes`,
      );
      assert.equal(refused, 30 - allowed);

      const key = issue();
      const served = async () =>
        (
          JSON.parse(
            (await freshPost(predictUrl, { authorization: `Bearer ${key}` }, { instances: [penguin] })).body,
          ) as { version: number }
        ).version;
      const before = await served();
      const versions = (await (
        await http.api(`/resources/modelVersions/actions/list?filters.modelId=${penguins.id}&perPage=50`)
      ).json()) as { records: Array<{ id: string; params: { version: number } }> };
      const other = versions.records.find((v) => Number(v.params.version) !== before)!;
      const promoted = await http.api(`/resources/modelVersions/records/${other.id}/promote`, 'POST', {
        alias: 'production',
      });
      assert.equal(promoted.status, 200);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const after = await Promise.all(Array.from({ length: 6 }, () => served()));
      assert.deepEqual(
        after,
        new Array(6).fill(Number(other.params.version)),
        'both web processes serve the promoted version a second later',
      );
    } finally {
      assert.equal(await stop(child), 0);
    }
    assert.ok(
      await eventually(() => workerProcesses().length === 0 && childProcesses('web').length === 0),
      'no web or worker process outlives npm start',
    );
    assert.equal(alive(orphan), false, 'the adopted Postgres stopped with the server');
  });

  it('stops with a message naming the variable when the configuration is wrong', () => {
    const result = spawnSync(process.execPath, [MAIN, 'start'], { env: { ...env, PORT: 'eighty' }, encoding: 'utf8' });
    assert.equal(result.status, 78);
    assert.match(result.stderr, /PORT="eighty"/);
    assert.match(result.stderr, /docs\/configuration\.md/);
  });
});
