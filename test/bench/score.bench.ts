// `npm run bench` (part): batch scoring at a million records. Generates a tabular dataset (30
// features), trains a logistic (softmax) model on it, then scores every record through the real path:
// queued as a job, run by a separate worker process (`cli worker`), read with COPY, onnxruntime
// batches, predictions written with COPY, a checkpoint per chunk. Reports rows/s end to end, the split
// of time (read / infer / write) and the worker's peak RSS; then scores again (every record already
// has a prediction: the replace path). With `--peer` (or BENCH_PEER=1) it then runs the Django peer
// (../shared/peer-django, installed by its own apt packages when missing) on the same machine:
// `score_all --mode orm` at 100,000 rows and `--mode sql` at 100,000 and 1,000,000, and prints ratios.
import type { ChildProcess } from 'node:child_process';
import { Job, MlModel } from '../../models/index.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { startQueue, stopQueue } from '../../src/jobs/queue.js';
import { trainModel } from '../../src/ml/train-model.js';
import { queueScoring } from '../../src/scoring/queue-scoring.js';
import { startCli } from '../support/cli-process.js';
import { benchDatabase } from './bench-database.js';
import { ensurePeerInstalled, peerScoreAll, peerSeed, startPeer, stopPeer, type ScoreResult } from './peer-django.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_SCORE_ROWS ?? 1_000_000);
const WITH_PEER = process.argv.includes('--peer') || process.env.BENCH_PEER === '1';

/** The peer's two scoring paths, measured after ours (alone on the machine: our worker is stopped). */
async function peerScoring(): Promise<{ orm100k: ScoreResult; sql100k: ScoreResult; sql: ScoreResult }> {
  await ensurePeerInstalled();
  await startPeer();
  try {
    await peerSeed(100_000);
    const orm100k = await peerScoreAll('orm');
    const sql100k = await peerScoreAll('sql');
    await peerSeed(ROWS);
    const sql = await peerScoreAll('sql');
    return { orm100k, sql100k, sql };
  } finally {
    await stopPeer();
  }
}
const system = { type: 'system' } as const;

const startWorker = async (url: string): Promise<ChildProcess> =>
  (
    await startCli(
      ['worker'],
      { ...process.env, DATABASE_URL: url, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      'ready for',
    )
  ).child;

async function finished(jobId: number): Promise<Job> {
  for (;;) {
    const job = (await Job.findByPk(jobId))!;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const db = await benchDatabase(10);
let worker: ChildProcess | undefined;
try {
  const generated = await generateDataset(system, {
    name: 'score-bench',
    rows: ROWS,
    task: 'tabular-classification',
    seed: 11,
  });
  await MlModel.create({
    name: 'score-bench',
    datasetId: generated.datasetId,
    task: 'tabular-classification',
    description: null,
    createdById: null,
  });
  const trained = await trainModel(system, { model: 'score-bench', maxIterations: 3 });
  await db.sequelize.query('VACUUM ANALYZE records');
  await startQueue(db.url);
  worker = await startWorker(db.url);
  const runs: Record<string, unknown> = {};
  for (const run of ['first', 'again'] as const) {
    const queued = await queueScoring(system, { model: 'score-bench', version: trained.version.version });
    const job = await finished(queued.job.id);
    if (job.status !== 'succeeded') throw new Error(`scoring job ${job.id} ${job.status}: ${job.error}`);
    const result = job.result as {
      scored: number;
      rowsPerSecond: number;
      seconds: number;
      timingsMs: Record<string, number>;
      peakRssMb: number;
    };
    const queuedToDone = (job.finishedAt!.getTime() - job.createdAt.getTime()) / 1000;
    runs[run] = { ...result, queuedToFinishedSeconds: Number(queuedToDone.toFixed(2)) };
  }
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker!.once('exit', resolve));
  const peer = WITH_PEER ? await peerScoring() : null;
  const ours = (runs.first as { rowsPerSecond: number }).rowsPerSecond;
  console.log(
    JSON.stringify(
      {
        benchmark: 'batch-scoring',
        when: new Date().toISOString(),
        machine: machine(),
        records: ROWS,
        features: 30,
        model: { trainer: trained.version.trainer, trainingRows: trained.trainingRows },
        runs,
        targetRowsPerSecond: 150_000,
        ...(peer
          ? {
              peer: {
                ...peer,
                note: "Django peer: score_all --mode sql = UPDATE … FROM (VALUES …) in chunks of 5,000; --mode orm = the admin action's ORM loop + bulk_update",
              },
              ratios: {
                oursOverPeerSql: Number((ours / peer.sql.rowsPerSecond).toFixed(1)),
                oursOverPeerOrm: Number((ours / peer.orm100k.rowsPerSecond).toFixed(1)),
                targetOverPeerSql: 10,
              },
            }
          : {}),
      },
      null,
      2,
    ),
  );
} finally {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker!.once('exit', resolve));
  }
  await stopQueue();
  await db.close();
}
