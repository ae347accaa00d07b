// `npm run bench` (part): the inference endpoint under load. A 30-feature logistic (softmax) model
// trained on a generated dataset serves POST /api/v1/models/{name}/predict from `npm start --web N
// --workers 0` (N = BENCH_PREDICT_WEB, default the number of cores), authenticated with an API key,
// answer cache off (every request runs the model). wrk -t2 -c16 for BENCH_PREDICT_SECONDS (default
// 10) after a 2 s warm-up, with 1 and with 64 instances per request, as the peer's bench.sh does;
// first with predict sampling off (PREDICT_SAMPLE_RATE=0), then at its default rate (the figures
// reported as ours), and the ratio of the two.
// With `--peer`, the Django peer (DRF + gunicorn, 2 sync workers) is measured the same way
// afterwards, alone on the machine, and the ratios are printed.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { MlModel } from '../../models/index.js';
import { PredictSampler } from '../../src/monitoring/predict-sampler.js';
import { ConfigSchema } from '../../src/platform/config.js';
import { createApiKey } from '../../src/auth/api-keys/create-api-key.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { trainModel } from '../../src/ml/train-model.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { projectRoot } from '../../src/platform/project-root.js';
import { saveUser } from '../../src/users/save-user.js';
import { startCli, stopProcess } from '../support/cli-process.js';
import { freePort } from '../support/free-port.js';
import { benchDatabase } from './bench-database.js';
import { ensurePeerInstalled, parseWrk, peerPredict, startPeer, stopPeer, type PredictResult } from './peer-django.js';
import { machine } from './machine.js';

const SECONDS = Number(process.env.BENCH_PREDICT_SECONDS ?? 10);
/** The default of PREDICT_SAMPLE_RATE, as the configuration gives it. */
const DEFAULT_SAMPLE_RATE = String(ConfigSchema.shape.PREDICT_SAMPLE_RATE.parse(undefined));
const WEB = Number(process.env.BENCH_PREDICT_WEB ?? os.cpus().length);
const WITH_PEER = process.argv.includes('--peer') || process.env.BENCH_PEER === '1';
const system = { type: 'system' } as const;

// BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") to look inside the server under load.
const startServer = async (env: NodeJS.ProcessEnv): Promise<ChildProcess> =>
  (
    await startCli(['start', '--web', String(WEB), '--workers', '0'], { ...process.env, ...env }, 'Stop with Ctrl-C.', {
      nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    })
  ).child;

function wrk(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited ${code}: ${out}`))));
  });
}

/**
 * What sampling adds to a request, timed in this process (so the machine's other work hardly moves
 * it): `offer` per request of 1 and of 64 instances at the default rate, and the batched INSERT that
 * follows, per sampled instance. Compare with a request's own cost (cores ÷ requests per second).
 */
async function measureSamplerCost(versionId: number) {
  const sampler = new PredictSampler(db.sequelize, {
    rate: Number(DEFAULT_SAMPLE_RATE),
    retentionDays: 30,
    maxPending: 1_000_000,
  });
  const served = { versionId, signature: { labels: ['negative', 'positive'] }, width: 30 };
  const perRequest = (batch: number, requests: number) => {
    const inputs = new Float32Array(batch * 30).map((_, i) => Math.sin(i));
    const probabilities = new Float32Array(batch * 2).map((_, i) => (i % 2 ? 0.3 : 0.7));
    const started = performance.now();
    for (let r = 0; r < requests; r += 1) sampler.offer(served, inputs, probabilities, batch);
    return ((performance.now() - started) * 1_000) / requests;
  };
  const offerMicrosBatch1 = perRequest(1, 200_000);
  const offerMicrosBatch64 = perRequest(64, 20_000);
  const started = performance.now();
  await sampler.flush();
  const insertMs = performance.now() - started;
  const written = await db.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM predict_samples', {
    plain: true,
    type: QueryTypes.SELECT,
  });
  const insertMicrosPerSample = (insertMs * 1_000) / Math.max(1, Number(written?.n ?? 0));
  await db.sequelize.query('TRUNCATE predict_samples');
  return {
    offerMicrosBatch1: Number(offerMicrosBatch1.toFixed(3)),
    offerMicrosBatch64: Number(offerMicrosBatch64.toFixed(3)),
    insertMicrosPerSample: Number(insertMicrosPerSample.toFixed(2)),
    dropped: sampler.dropped,
  };
}

/** The run with the most requests per second (null when the batch size was not measured). */
const bestOf = (results: Array<PredictResult | null>): PredictResult | null =>
  results.reduce<PredictResult | null>(
    (a, b) => (b && (!a || b.requestsPerSecond > a.requestsPerSecond) ? b : a),
    null,
  );

async function load(url: string, keyFile: string, batch: number): Promise<PredictResult> {
  const script = ['-s', path.join(projectRoot, 'test', 'bench', 'predict.lua'), url, '--', String(batch), keyFile];
  await wrk(['-t2', '-c16', '-d2s', ...script]);
  return parseWrk(await wrk(['-t2', '-c16', `-d${SECONDS}s`, '--latency', ...script]), batch);
}

const db = await benchDatabase(4);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-predict-bench-'));
let server: ChildProcess | undefined;
try {
  const generated = await generateDataset(system, {
    name: 'predict-bench',
    rows: 20_000,
    task: 'tabular-classification',
    seed: 7,
  });
  await MlModel.create({
    name: 'predict-bench',
    datasetId: generated.datasetId,
    task: 'tabular-classification',
    description: null,
    createdById: null,
  });
  const trained = await trainModel(system, { model: 'predict-bench', maxIterations: 5 });
  await promoteAlias(system, { versionId: trained.version.id, alias: 'production' });
  await saveUser(system, {
    email: 'bench@example.com',
    role: 'data_scientist',
    password: 'violet trombone cabinet lantern',
  });
  const { key } = await createApiKey(system, { ownerEmail: 'bench@example.com', name: 'bench', scopes: ['predict'] });
  const samplerCost = await measureSamplerCost(trained.version.id);
  const keyFile = path.join(dir, 'key.txt');
  fs.writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  const port = await freePort();
  const serverEnv = (sampleRate: string) => ({
    DATABASE_URL: db.url,
    PORT: String(port),
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    PREDICT_CACHE_ENTRIES: '0',
    PREDICT_SAMPLE_RATE: sampleRate,
    API_KEY_RATE_LIMIT: '1000000000',
    API_IP_RATE_LIMIT: '1000000000',
  });
  const url = `http://127.0.0.1:${port}/api/v1/models/predict-bench/predict`;
  // BENCH_PREDICT_ONLY=64 (or 1) measures one batch size, e.g. under a profiler.
  const only = process.env.BENCH_PREDICT_ONLY;
  const measure = async () => ({
    batch1: only === '64' ? null : await load(url, keyFile, 1),
    batch64: only === '1' ? null : await load(url, keyFile, 64),
  });
  // Predict samples (PREDICT_SAMPLE_RATE): the same load without sampling and with the default rate,
  // alternating BENCH_PREDICT_SAMPLING_ROUNDS times (default 2; the best of each kept, as the least
  // disturbed by the machine's other work); the server at the default rate stays for the rest.
  const rounds = Number(process.env.BENCH_PREDICT_SAMPLING_ROUNDS ?? 2);
  const runs: Record<'off' | 'on', Array<Awaited<ReturnType<typeof measure>>>> = { off: [], on: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (const kind of ['off', 'on'] as const) {
      if (server) await stopProcess(server);
      server = await startServer(serverEnv(kind === 'off' ? '0' : DEFAULT_SAMPLE_RATE));
      runs[kind].push(await measure());
    }
  }
  const best = (kind: 'off' | 'on') => ({
    batch1: bestOf(runs[kind].map((r) => r.batch1)),
    batch64: bestOf(runs[kind].map((r) => r.batch64)),
  });
  const withoutSampling = best('off');
  const ours = best('on');
  const sampled = await db.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM predict_samples', {
    plain: true,
    type: QueryTypes.SELECT,
  });
  // One large request must not stall the others: batch-1 latency while another client keeps sending
  // requests of 1,000 instances (the default maximum), one after another.
  let bigRequests = 0;
  let bigMs = 0;
  let stop = false;
  const big = JSON.stringify({
    instances: Array.from({ length: 1_000 }, (_, i) => Array.from({ length: 30 }, (_, j) => Math.sin(i * 31 + j) * 2)),
  });
  const bigLoop = (async () => {
    while (!stop) {
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: big,
      });
      if (response.status !== 200) throw new Error(`large request: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      bigMs += performance.now() - started;
      bigRequests += 1;
    }
  })();
  const underLargeRequests = only === '64' ? null : await load(url, keyFile, 1);
  stop = true;
  await bigLoop;
  const stall = underLargeRequests && {
    batch1: underLargeRequests,
    largeRequests: {
      instances: 1_000,
      count: bigRequests,
      meanMs: Number((bigMs / Math.max(1, bigRequests)).toFixed(1)),
      rowsPerSecond: Math.round((bigRequests * 1_000) / (SECONDS + 2)),
    },
  };

  if (server) await stopProcess(server);
  server = undefined;

  let peer: { batch1: PredictResult; batch64: PredictResult } | null = null;
  if (WITH_PEER) {
    await ensurePeerInstalled();
    await startPeer();
    try {
      peer = { batch1: await peerPredict(1, SECONDS), batch64: await peerPredict(64, SECONDS) };
    } finally {
      await stopPeer();
    }
  }
  const ratio = (a: number, b: number) => Number((a / b).toFixed(1));
  console.log(
    JSON.stringify(
      {
        benchmark: 'predict-api',
        when: new Date().toISOString(),
        machine: machine(),
        setup: {
          webProcesses: WEB,
          seconds: SECONDS,
          wrk: '-t2 -c16',
          model: `${trained.version.trainer}, 30 features, 2 classes`,
          cache: 'off',
          auth: 'API key (Bearer)',
          logLevel: 'warn',
        },
        ours,
        sampling: {
          rate: Number(DEFAULT_SAMPLE_RATE),
          samplesWritten: Number(sampled?.n ?? 0),
          withoutSampling,
          allRuns: runs,
          samplerCost,
          withOverWithout: {
            requestsPerSecondBatch1:
              ours.batch1 &&
              withoutSampling.batch1 &&
              Number((ours.batch1.requestsPerSecond / withoutSampling.batch1.requestsPerSecond).toFixed(3)),
            rowsPerSecondBatch64:
              ours.batch64 &&
              withoutSampling.batch64 &&
              Number((ours.batch64.rowsPerSecond / withoutSampling.batch64.rowsPerSecond).toFixed(3)),
          },
          target: 'with sampling ≥ 0.95 × without',
        },
        whileLargeRequestsRun: stall,
        ...(peer
          ? {
              peer: {
                ...peer,
                note: 'Django 3.2 + DRF + gunicorn (2 sync workers), token auth, numpy model; its post.lua body',
              },
              ratios: {
                requestsPerSecondBatch1:
                  ours.batch1 && ratio(ours.batch1.requestsPerSecond, peer.batch1.requestsPerSecond),
                p99Batch1OursOverPeer: ours.batch1 && ratio(ours.batch1.p99Ms, peer.batch1.p99Ms),
                rowsPerSecondBatch64: ours.batch64 && ratio(ours.batch64.rowsPerSecond, peer.batch64.rowsPerSecond),
                targets: { requestsPerSecondBatch1: 10, p99Batch1OursOverPeer: '≤ 1', rowsPerSecondBatch64: 25 },
              },
            }
          : {}),
      },
      null,
      2,
    ),
  );
} finally {
  if (server) await stopProcess(server);
  fs.rmSync(dir, { recursive: true, force: true });
  await db.close();
}
