// `npm run bench` (part): start-up and memory. `npm start` (node directly) on a fresh data folder
// (cold: creates the embedded Postgres cluster, migrates, loads the demo datasets and trains their
// models) and again on the same folder (warm), timed to "ready"; then the resident memory of the web
// process and of the worker process, idle after start. With `--peer`, the Django peer's gunicorn RSS
// (master + 2 workers) is measured the same way, as the baseline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCli, stopProcess } from '../support/cli-process.js';
import { freePort } from '../support/free-port.js';
import { ensurePeerInstalled, peerRss, startPeer, stopPeer } from './peer-django.js';
import { childrenOf, cmdlineOf, rssKiB } from './proc.js';
import { machine } from './machine.js';

const WITH_PEER = process.argv.includes('--peer') || process.env.BENCH_PEER === '1';

const start = (env: NodeJS.ProcessEnv) => startCli(['start'], env, 'Stop with Ctrl-C.');
const stop = stopProcess;

async function rssMiB(pid: number): Promise<number | null> {
  const kib = await rssKiB(pid);
  return kib === null ? null : Math.round((kib / 1024) * 10) / 10;
}

/** The `cli worker` child of `parent`. */
async function workerOf(parent: number): Promise<number | undefined> {
  for (const pid of await childrenOf(parent)) if ((await cmdlineOf(pid)).endsWith('\0worker\0')) return pid;
  return undefined;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-start-bench-'));
try {
  const { DATABASE_URL: _url, DATABASE_OWNER_URL: _owner, ...rest } = process.env;
  const env = {
    ...rest,
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  const cold = await start(env);
  await stop(cold.child);
  const warm = await start(env);
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // let the worker finish starting and settle
  const worker = await workerOf(warm.child.pid!);
  const memory = { webMiB: await rssMiB(warm.child.pid!), workerMiB: worker ? await rssMiB(worker) : null };
  await stop(warm.child);
  let peer: unknown = null;
  if (WITH_PEER) {
    await ensurePeerInstalled();
    await startPeer();
    try {
      peer = { rss: await peerRss() };
    } finally {
      await stopPeer();
    }
  }
  console.log(
    JSON.stringify(
      {
        benchmark: 'start',
        when: new Date().toISOString(),
        machine: machine(),
        coldStartSeconds: Number(cold.seconds.toFixed(1)),
        coldStartIncludes: 'initdb of the embedded Postgres, migrations, demo datasets, training the two demo models',
        warmStartSeconds: Number(warm.seconds.toFixed(1)),
        idleRss: memory,
        ...(peer ? { peer } : {}),
      },
      null,
      2,
    ),
  );
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
