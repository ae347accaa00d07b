// Smoke run of the Django peer driver (test/bench/peer-django.ts): install → start → seed 10k →
// score_all (SQL) → 2 s of predict → gunicorn RSS → stop. Prints one JSON object on stdout; progress
// goes to stderr. Small on purpose (the machine may be shared): `node dist/test/bench/peer-smoke.js`.
import os from 'node:os';
import {
  ensurePeerInstalled,
  peerPredict,
  peerRss,
  peerScoreAll,
  peerSeed,
  startPeer,
  stopPeer,
} from './peer-django.js';

const ROWS = 10_000;
const seconds = (started: number) => Number(((performance.now() - started) / 1000).toFixed(2));

/** Runs `step`, returning its result and its wall time in seconds. */
async function timed<T>(step: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await step();
  return { result, seconds: seconds(started) };
}

let exitCode = 0;
try {
  const install = await timed(ensurePeerInstalled);
  const start = await timed(startPeer);
  const seed = await timed(() => peerSeed(ROWS));
  const scoreSql = await peerScoreAll('sql');
  const predictBatch1 = await peerPredict(1, 2);
  const rss = await peerRss();
  const result = {
    benchmark: 'peer-django smoke',
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, loadavg: os.loadavg() },
    installedPackages: install.result,
    installSeconds: install.seconds,
    startSeconds: start.seconds,
    seed: { rows: ROWS, copySeconds: Number(seed.result.toFixed(2)), withVacuumSeconds: seed.seconds },
    scoreSql,
    predictBatch1,
    rss,
  };
  console.log(JSON.stringify(result, null, 2));
} catch (error) {
  process.stderr.write(`peer smoke failed: ${(error as Error).message}\n`);
  exitCode = 1;
} finally {
  if (!(await stopPeer())) exitCode = 1;
}
process.exitCode = exitCode;
