// `npm run bench` (part): a bounded soak. `npm start -- --web 2 --workers 1` on a fresh data folder
// (demo data), then BENCH_SOAK_SECONDS (default 300) of mixed traffic on 127.0.0.1: API predictions
// (6 clients back to back), console record pages (2 signed-in users) and a batch-scoring job through
// the API every 20 s. Reports the requests and errors of each kind and the resident memory of each
// process sampled every 5 s (first minute's mean vs the last minute's: growth).
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpSession } from '../support/console-server.js';
import { MAIN, startCli, stopProcess } from '../support/cli-process.js';
import { freePort } from '../support/free-port.js';
import { childrenOf, cmdlineOf, rssKiB } from './proc.js';
import { machine } from './machine.js';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 300);

/** The ModelDesk processes `npm start` forked (web processes, worker). */
async function forkedBy(parent: number): Promise<number[]> {
  const children = await childrenOf(parent);
  const commands = await Promise.all(children.map(cmdlineOf));
  return children.filter((_, i) => commands[i]!.includes(MAIN));
}

async function rssMiB(pid: number): Promise<number | null> {
  const kib = await rssKiB(pid);
  return kib === null ? null : kib / 1024;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-soak-'));
let server: ChildProcess | undefined;
try {
  const port = await freePort();
  const { DATABASE_URL: _url, DATABASE_OWNER_URL: _owner, ...rest } = process.env;
  const env = {
    ...rest,
    DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    API_KEY_RATE_LIMIT: '10000000',
    API_IP_RATE_LIMIT: '10000000',
  };
  const base = `http://127.0.0.1:${port}`;
  const started = await startCli(['start', '--web', '2', '--workers', '1'], env, 'Stop with Ctrl-C.');
  server = started.child;
  const output = started.output();
  const adminPassword = /admin@example\.com\s+(\S+)\s+\(admin\)/.exec(output)![1]!;
  const issued = spawnSync(
    process.execPath,
    [MAIN, 'create-api-key', '--owner', 'admin@example.com', '--name', 'soak', '--scopes', 'predict,jobs:write'],
    { env, encoding: 'utf8' },
  );
  if (issued.status !== 0) throw new Error(issued.stderr);
  const key = issued.stdout.trim();

  const counts: Record<string, { ok: number; errors: number; statuses: Record<string, number> }> = {};
  const count = (kind: string, status: number, ok: boolean) => {
    const entry = (counts[kind] ??= { ok: 0, errors: 0, statuses: {} });
    if (ok) entry.ok += 1;
    else entry.errors += 1;
    entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
  };
  const deadline = Date.now() + SECONDS * 1000;
  const penguin = {
    beak_length_mm: 39.1,
    beak_depth_mm: 18.7,
    flipper_length_mm: 181,
    body_mass_g: 3750,
    island: 'Torgersen',
    sex: 'MALE',
  };
  const predictLoop = async (seed: number) => {
    for (let i = 0; Date.now() < deadline; i += 1) {
      const response = await fetch(`${base}/api/v1/models/penguin-species/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [{ ...penguin, body_mass_g: 3000 + ((seed * 7919 + i) % 3000) }] }),
      }).catch(() => null);
      count('predict', response?.status ?? 0, response?.status === 200);
      await response?.arrayBuffer();
    }
  };
  const consoleLoop = async () => {
    const http = new HttpSession(base);
    await http.login('admin@example.com', adminPassword);
    for (let page = 1; Date.now() < deadline; page = (page % 50) + 1) {
      const response = await http.api(`/resources/records/actions/list?page=${page}`).catch(() => null);
      count('console list', response?.status ?? 0, response?.status === 200);
      await response?.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const jobLoop = async () => {
    while (Date.now() < deadline) {
      const response = await fetch(`${base}/api/v1/models/penguin-species/score`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '{}',
      }).catch(() => null);
      count('score job queued', response?.status ?? 0, response?.status === 202);
      await response?.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 20_000));
    }
  };
  const samples: Array<{ at: number; rss: Record<string, number | null> }> = [];
  const sampleLoop = async () => {
    const started = Date.now();
    while (Date.now() < deadline) {
      const kids = await forkedBy(server!.pid!);
      const rss: Record<string, number | null> = { start: await rssMiB(server!.pid!) };
      for (const [i, pid] of kids.entries()) rss[`child${i + 1}:${pid}`] = await rssMiB(pid);
      samples.push({ at: (Date.now() - started) / 1000, rss });
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  };
  await Promise.all([
    ...Array.from({ length: 6 }, (_, i) => predictLoop(i)),
    consoleLoop(),
    consoleLoop(),
    jobLoop(),
    sampleLoop(),
  ]);

  const jobs = await fetch(`${base}/api/v1/jobs?limit=500`, { headers: { authorization: `Bearer ${key}` } }).then(
    (r) => r.json() as Promise<{ items: Array<{ status: string }> }>,
  );
  const processes = [...new Set(samples.flatMap((s) => Object.keys(s.rss)))];
  const minute = Math.min(60, SECONDS / 3);
  const memory = Object.fromEntries(
    processes.map((name) => {
      const values = samples
        .map((s) => ({ at: s.at, mib: s.rss[name] }))
        .filter((v): v is { at: number; mib: number } => typeof v.mib === 'number');
      const mean = (xs: number[]) =>
        xs.length ? Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)) : null;
      const first = mean(values.filter((v) => v.at <= minute).map((v) => v.mib));
      const last = mean(values.filter((v) => v.at >= SECONDS - minute).map((v) => v.mib));
      return [
        name,
        {
          firstMinuteMiB: first,
          lastMinuteMiB: last,
          maxMiB: Number(Math.max(...values.map((v) => v.mib)).toFixed(1)),
          growthMiB: first !== null && last !== null ? Number((last - first).toFixed(1)) : null,
        },
      ];
    }),
  );
  console.log(
    JSON.stringify(
      {
        benchmark: 'soak',
        when: new Date().toISOString(),
        machine: machine(),
        seconds: SECONDS,
        processes: 'npm start --web 2 --workers 1 (start = the parent; children: 2 web, 1 worker)',
        requests: counts,
        jobs: jobs.items.reduce<Record<string, number>>(
          (acc, job) => ((acc[job.status] = (acc[job.status] ?? 0) + 1), acc),
          {},
        ),
        memory,
      },
      null,
      2,
    ),
  );
} finally {
  if (server) await stopProcess(server);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
