import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../../src/platform/project-root.js';
import { MAIN } from '../../support/cli-process.js';
import { HttpSession } from '../../support/console-server.js';
import { freePort } from '../../support/free-port.js';

/** `npm start` exactly as a person, docker or systemd runs it: npm → (sh →) node; signals go to npm's pid. */
interface NpmStart {
  npm: ChildProcess;
  output: () => string;
}

function npmStart(env: NodeJS.ProcessEnv): Promise<NpmStart> {
  const npm = spawn('npm', ['start'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (!output.includes('Stop with Ctrl-C.')) return;
      clearInterval(poll);
      resolve({ npm, output: () => output });
    }, 50);
    npm.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`npm start exited (${code}) before it was ready:\n${output.slice(-3_000)}`));
    });
  });
}

/** pid → parent pid, for every live (non-zombie) process. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') map.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

/** `root` and every process below it (the postmaster is one: a child of the start process in its own group). */
function tree(root: number): number[] {
  const map = parents();
  const found = [root];
  for (let i = 0; i < found.length; i += 1) for (const [pid, parent] of map) if (parent === found[i]) found.push(pid);
  return found.filter((pid) => map.has(pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** The live `main.js <command>` processes below `root`. */
function children(root: number, command: 'worker' | 'web' | 'start'): number[] {
  return tree(root).filter((pid) => {
    const argv = cmdline(pid);
    return argv.includes(MAIN) && argv[argv.indexOf(MAIN) + 1] === command;
  });
}

function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/**
 * A GET on a connection of its own, closed after the answer: a pooled keep-alive connection left idle
 * while a CLI command runs would be closed by the server just as the next request reuses it.
 */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  message: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(message());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm start as a service: signals stop the whole tree, dead processes come back', function () {
  this.timeout(240_000);
  let dataDir: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  const leftovers = new Set<number>();

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-tree-'));
    port = await freePort();
    const { DATABASE_URL: _url, DATABASE_OWNER_URL: _owner, SESSION_SECRET: _secret, ...rest } = process.env;
    env = {
      ...rest,
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: 'false',
      SHUTDOWN_GRACE_SECONDS: '10',
    };
  });

  afterEach(() => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    leftovers.clear();
  });
  after(() => {
    try {
      const pid = postmasterPid(dataDir);
      if (alive(pid)) process.kill(pid, 'SIGQUIT');
    } catch {
      // no cluster left running
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts npm start and returns it with every pid of its tree (npm, node, web, worker, Postgres). */
  async function started(extraEnv: NodeJS.ProcessEnv = {}) {
    const run = await npmStart({ ...env, ...extraEnv });
    const pids = tree(run.npm.pid!);
    pids.forEach((pid) => leftovers.add(pid));
    const postmaster = postmasterPid(dataDir);
    assert.ok(pids.includes(postmaster), 'the embedded Postgres runs below npm start');
    assert.equal((await get(port, '/readyz')).status, 200);
    return { ...run, pids, postmaster };
  }

  async function assertAllGone(pids: number[], timeoutMs: number, output: () => string): Promise<void> {
    await eventually(
      () => pids.every((pid) => !alive(pid)),
      timeoutMs,
      () =>
        `still running: ${pids
          .filter(alive)
          .map((pid) => `${pid} ${cmdline(pid).join(' ')}`)
          .join('; ')}\n${output().slice(-2_000)}`,
    );
    assert.equal(await portOpen(port), false, 'the port is closed');
  }

  // One start serves both (a start costs a web, a worker and a Postgres): the clean SIGTERM stops the
  // tree whose web process and worker were restarted, so the restarted ones stop by themselves too.
  it("restarts a worker and a web process killed with -9, and shows the restarts on the admin's system health; SIGTERM to npm's pid then stops web, worker and Postgres cleanly", async () => {
    const { npm, pids, output } = await started();
    let stopping = false;
    try {
      assert.equal(
        children(npm.pid!, 'web').length,
        1,
        'the web server runs in a child process of its own, so it can die alone',
      );
      assert.equal(children(npm.pid!, 'worker').length, 1, 'one worker beside it');
      const [worker] = children(npm.pid!, 'worker');
      process.kill(worker!, 'SIGKILL');
      await eventually(
        () => children(npm.pid!, 'worker').some((pid) => pid !== worker),
        30_000,
        () => `no new worker:\n${output().slice(-2_000)}`,
      );

      const [web] = children(npm.pid!, 'web');
      process.kill(web!, 'SIGKILL');
      await eventually(
        () => children(npm.pid!, 'web').some((pid) => pid !== web),
        30_000,
        () => `no new web process:\n${output().slice(-2_000)}`,
      );
      await eventually(
        async () => (await get(port, '/readyz').catch(() => undefined))?.status === 200,
        60_000,
        () => `the console never answered again:\n${output().slice(-2_000)}`,
      );
      const served = JSON.parse((await get(port, '/healthz')).body) as { pid: number };
      assert.notEqual(served.pid, web, 'answered by the new web process');
      assert.match(output(), /worker 1 exited \(signal SIGKILL\); restarting it in 1 s/);
      assert.match(output(), /web 1 exited \(signal SIGKILL\); restarting it in 1 s/);

      const made = spawnSync(
        process.execPath,
        [
          MAIN,
          'createuser',
          '--email',
          'ops-admin@example.com',
          '--role',
          'admin',
          '--password',
          'amber kettle harbour',
        ],
        { env, encoding: 'utf8' },
      );
      assert.equal(made.status, 0, made.stderr + made.stdout);
      const session = new HttpSession(`http://127.0.0.1:${port}`);
      assert.equal((await session.login('ops-admin@example.com', 'amber kettle harbour')).status, 302);
      type Health = {
        checks: Array<{ id: string; level: string; value: string }>;
        processes: Array<{
          name: string;
          state: string;
          restarts: number;
          pid: number;
          lastExit: string | null;
          lastRestartAt: string | null;
        }>;
      };
      let health: Health | undefined;
      await eventually(
        async () => {
          health = ((await (await session.api('/dashboard')).json()) as { health: Health }).health;
          return health.processes.every((p) => p.state === 'running');
        },
        30_000,
        () => JSON.stringify(health?.processes),
      );
      const byName = Object.fromEntries(health!.processes.map((p) => [p.name, p]));
      assert.deepEqual(Object.keys(byName).sort(), ['web 1', 'worker 1']);
      for (const name of ['web 1', 'worker 1']) {
        assert.equal(byName[name]!.restarts, 1, `${name} restarted once`);
        assert.equal(byName[name]!.lastExit, 'signal SIGKILL');
        assert.ok(byName[name]!.lastRestartAt);
      }
      assert.ok(
        children(npm.pid!, 'worker').includes(byName['worker 1']!.pid),
        'the reported pid is the running worker',
      );
      const check = health!.checks.find((c) => c.id === 'processes');
      assert.equal(check?.level, 'warning', 'a restart within the hour is a warning');
      assert.match(check.value, /2 of 2 running · 2 restarts/);

      const all = [...new Set([...pids, ...tree(npm.pid!)])];
      all.forEach((pid) => leftovers.add(pid)); // killed after the test if one outlives a failed assertion
      const exit = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      stopping = true;
      npm.kill('SIGTERM');
      // The grace period (10 s) plus Postgres's own fast shutdown: each process of the tree must be gone.
      await assertAllGone(all, 30_000, output);
      assert.match(output(), /Shutting down \(SIGTERM\)/);
      assert.doesNotMatch(output(), /did not stop \(SIGKILL\)/, 'every process stopped by itself, none was killed');
      assert.equal(await exit, 0, 'a clean exit, not a kill');
    } finally {
      if (!stopping) {
        const all = [...new Set([...pids, ...tree(npm.pid!)])];
        npm.kill('SIGTERM');
        await assertAllGone(all, 30_000, output);
      }
    }
  });

  it('a child that does not stop is killed when the grace period ends (SIGINT, as Ctrl-C sends)', async () => {
    const { npm, pids, output } = await started({ SHUTDOWN_GRACE_SECONDS: '3' });
    const [worker] = children(npm.pid!, 'worker');
    process.kill(worker!, 'SIGSTOP'); // stuck: it will never act on SIGTERM
    npm.kill('SIGINT');
    await assertAllGone(pids, 30_000, output);
  });

  it('a second signal stops everything at once, without waiting out a long grace period', async () => {
    const { npm, pids, output } = await started({ SHUTDOWN_GRACE_SECONDS: '600' });
    const [worker] = children(npm.pid!, 'worker');
    process.kill(worker!, 'SIGSTOP');
    npm.kill('SIGTERM');
    await eventually(
      () => output().includes('Shutting down'),
      30_000,
      () => output().slice(-2_000),
    );
    npm.kill('SIGTERM');
    await assertAllGone(pids, 60_000, output);
    assert.match(output(), /SIGTERM again: stopping every process now/);
  });
});
