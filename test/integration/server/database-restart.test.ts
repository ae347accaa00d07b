import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/db/embedded-postgres.js';
import { projectRoot } from '../../../src/server/project-root.js';
import { TEST_SESSION_SECRET } from '../../support/cli-process.js';
import { freePort } from '../../support/free-port.js';

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

describe('Postgres restarted under a running web process (real processes)', () => {
  let dataDir: string;
  let pgPort: number;
  let postgres: EmbeddedPostgres | undefined;
  let web: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let baseUrl: string;
  let key: string;

  before(async function () {
    this.timeout(120_000);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-pg-restart-'));
    pgPort = await freePort();
    postgres = await startEmbeddedPostgres({ dataDir, port: pgPort });
    const port = await freePort();
    const { DATABASE_OWNER_URL: _owner, ...rest } = process.env;
    env = { ...rest, DATABASE_URL: postgres.url, SESSION_SECRET: TEST_SESSION_SECRET, PORT: String(port), LOG_LEVEL: 'error', SEED_DEMO_DATA: 'false' };
    baseUrl = `http://127.0.0.1:${port}`;
    for (const args of [['migrate'], ['createuser', '--email', 'ops@example.com', '--role', 'data_scientist', '--password', 'amber kettle harbour lantern']]) {
      const done = spawnSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8' });
      assert.equal(done.status, 0, done.stderr);
    }
    const issued = spawnSync(process.execPath, [MAIN, 'create-api-key', '--owner', 'ops@example.com', '--name', 'restart', '--scopes', 'predict'], { env, encoding: 'utf8' });
    assert.equal(issued.status, 0, issued.stderr);
    key = issued.stdout.trim();
    web = spawn(process.execPath, [MAIN, 'web'], { env, stdio: 'ignore' });
    assert.ok(await eventually(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, 60_000), 'the web process is ready');
  });

  after(async () => {
    if (web && web.exitCode === null) {
      const exited = new Promise((resolve) => web!.once('exit', resolve));
      web.kill('SIGTERM');
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
    assert.ok(await eventually(async () => (outage = await models()).status === 503, 10_000), 'API calls fail with 503 during the outage');
    assert.equal(outage!.headers.get('retry-after'), '5');
    assert.equal(((await outage!.json()) as { code: string }).code, 'database.unavailable');
    assert.equal((await fetch(`${baseUrl}/readyz`)).status, 503);
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200, 'the process itself stays up');

    postgres = await startEmbeddedPostgres({ dataDir, port: pgPort });
    assert.ok(await eventually(async () => (await models()).status === 200), 'the web process reconnects by itself');
    assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200);
    assert.equal(web!.exitCode, null, 'and never exited');
  });
});
