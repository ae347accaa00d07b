import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { QueryTypes } from 'sequelize';
import { AuditEvent, Job, MlModel, RecordPrediction, sequelizeOf } from '../../../models/index.js';
import { generateDataset } from '../../../src/datasets/generate-dataset.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { stopWorker } from '../../../src/jobs/run-worker.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { queueScoring } from '../../../src/scoring/queue-scoring.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { stopProcess } from '../../support/cli-process.js';
import { waitForJob, waitForProgress } from '../../support/jobs.js';
import { startWorkerProcess, WORKER_QUEUE_TIMING } from '../../support/worker-process.js';

/** 60 chunks of 250: a kill after a tenth of them still lands part-way (the test checks it did). */
const ROWS = 15_000;
/** Small chunks, so the job is many committed steps long and the kill lands between two of them. */
const WORKER_ENV = { SCORE_CHUNK_ROWS: '250' };

describe('a scoring worker stopped mid-job (SIGKILL, SIGTERM)', () => {
  const children: ChildProcess[] = [];
  let modelName: string;
  let datasetId: number;
  let versionId: number;

  before(async function () {
    this.timeout(180_000);
    await useTestDatabase();
    await startQueue(testDatabaseUrl(), WORKER_QUEUE_TIMING);
    await stopWorker(); // only the worker processes below may take this job
    const generated = await generateDataset(
      { type: 'system' },
      { name: unique('resume'), rows: ROWS, task: 'tabular-classification', seed: 9 },
    );
    datasetId = generated.datasetId;
    modelName = unique('resume-model');
    await MlModel.create({
      name: modelName,
      datasetId,
      task: 'tabular-classification',
      description: null,
      createdById: null,
    });
    versionId = (await trainModel({ type: 'system' }, { model: modelName, maxIterations: 2 })).version.id;
  });
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('goes on after the last committed chunk in another worker: every record scored exactly once, nothing half-written', async function () {
    this.timeout(180_000);
    const first = await startWorkerProcess(WORKER_ENV);
    children.push(first);
    const { job } = await queueScoring({ type: 'system' }, { model: modelName, version: 1 });
    await waitForProgress(job.id, ROWS / 10);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    await job.reload();
    assert.equal(job.status, 'running', 'killed part-way');
    const checkpoint = job.checkpoint as { scored: number; lastId: number };
    assert.ok(checkpoint.scored > 0 && checkpoint.scored < ROWS, `checkpoint at ${checkpoint.scored}`);
    // What is committed is exactly the checkpoint: whole chunks, nothing of the chunk in flight.
    const committed = await RecordPrediction.count({ where: { jobId: job.id } });
    assert.equal(committed, checkpoint.scored);

    children.push(await startWorkerProcess(WORKER_ENV));
    await waitForJob(job.id, undefined, 120_000);
    await job.reload();
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(job.attempts, 2);
    const result = job.result as { scored: number; attempts: number; invalid: { count: number } };
    assert.equal(result.attempts, 2);
    assert.equal(result.scored, ROWS, 'each record counted once across both attempts');
    assert.equal(result.invalid.count, 0);
    const [counts] = await sequelizeOf().query<{ records: number; predictions: number; by_version: number }>(
      `SELECT (SELECT count(*) FROM records WHERE dataset_id = :datasetId)::int AS records,
              count(*)::int AS predictions,
              count(*) FILTER (WHERE p.model_version_id = :versionId AND p.job_id = :jobId)::int AS by_version
         FROM record_predictions p JOIN records r ON r.id = p.record_id WHERE r.dataset_id = :datasetId`,
      { replacements: { datasetId, versionId, jobId: job.id }, type: QueryTypes.SELECT },
    );
    assert.deepEqual(counts, { records: ROWS, predictions: ROWS, by_version: ROWS });
    assert.equal(await Job.count({ where: { id: job.id } }), 1);
  });

  it('on SIGTERM stops after its current chunk, hands the job over and exits 0; another worker finishes it exactly once', async function () {
    this.timeout(180_000);
    for (const idle of children.splice(0)) await stopProcess(idle); // the previous test's workers must not take this job
    const first = await startWorkerProcess(WORKER_ENV);
    children.push(first);
    const { job } = await queueScoring({ type: 'system' }, { model: modelName, version: 1 });
    await waitForProgress(job.id, ROWS / 10);
    const signalled = performance.now();
    const exitCode = await stopProcess(first, 'SIGTERM');
    const stopSeconds = (performance.now() - signalled) / 1000;
    assert.equal(exitCode, 0, 'a clean exit');
    await job.reload();
    assert.equal(
      job.status,
      'queued',
      `handed back to the queue, not left running (${stopSeconds.toFixed(1)} s to stop)`,
    );
    const checkpoint = job.checkpoint as { scored: number };
    assert.ok(checkpoint.scored > 0 && checkpoint.scored < ROWS, `stopped part-way, at ${checkpoint.scored}`);
    assert.equal(
      await RecordPrediction.count({ where: { jobId: job.id } }),
      checkpoint.scored,
      'whole chunks committed, nothing of the next',
    );
    const handover = await AuditEvent.findOne({
      where: { action: 'jobs.handover', resource: 'jobs' },
      order: [['seq', 'DESC']],
    });
    assert.deepEqual(handover?.recordIds.map(Number), [job.id]);

    children.push(await startWorkerProcess(WORKER_ENV));
    await waitForJob(job.id, undefined, 120_000);
    await job.reload();
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(job.attempts, 2, 'the handover used no retry: one more attempt, no failure');
    assert.equal((job.result as { scored: number }).scored, ROWS);
    assert.equal(await RecordPrediction.count({ where: { jobId: job.id } }), ROWS, 'every record once, by this job');
  });
});
