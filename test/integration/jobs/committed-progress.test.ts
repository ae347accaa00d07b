import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { AuditEvent, MlModel } from '../../../models/index.js';
import { generateDataset } from '../../../src/datasets/generate-dataset.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { stopWorker } from '../../../src/jobs/run-worker.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { queueScoring } from '../../../src/scoring/queue-scoring.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { stopProcess } from '../../support/cli-process.js';
import { waitForJob } from '../../support/jobs.js';
import { startWorkerProcess, WORKER_QUEUE_TIMING } from '../../support/worker-process.js';

/** 60 chunks of 250 (as many commits to watch as 60,000 rows in chunks of 1,000, a quarter of the rows to score and count). */
const ROWS = 15_000;
/** Small chunks: many commits, so observations land between a chunk's progress and its commit. */
const WORKER_ENV = { SCORE_CHUNK_ROWS: '250' };

interface Observation {
  status: string;
  attempts: number;
  done: number;
  committed: number;
}

/**
 * A job's progress and its committed predictions, read in ONE statement (one snapshot): what a person
 * looking at the job page and counting the rows at that moment would see.
 */
async function observe(client: pg.Client, jobId: number): Promise<Observation> {
  const { rows } = await client.query<Observation>(
    `SELECT status, attempts, progress_done::int AS done, (SELECT count(*)::int FROM record_predictions WHERE job_id = $1) AS committed FROM jobs WHERE id = $1`,
    [jobId],
  );
  return rows[0]!;
}

describe('job progress counts committed rows only; attempts are numbered', () => {
  const children: ChildProcess[] = [];
  let modelName: string;
  let client: pg.Client;

  before(async function () {
    this.timeout(180_000);
    await useTestDatabase();
    await startQueue(testDatabaseUrl(), WORKER_QUEUE_TIMING);
    await stopWorker(); // only the worker processes below may take the job
    const { datasetId } = await generateDataset(
      { type: 'system' },
      { name: unique('progress'), rows: ROWS, task: 'tabular-classification', seed: 11 },
    );
    modelName = unique('progress-model');
    await MlModel.create({
      name: modelName,
      datasetId,
      task: 'tabular-classification',
      description: null,
      createdById: null,
    });
    await trainModel({ type: 'system' }, { model: modelName, maxIterations: 2 });
    client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await client?.end();
  });

  it('never shows more done than committed: while running, after a kill -9 and through the resumed attempt', async function () {
    this.timeout(240_000);
    const first = await startWorkerProcess(WORKER_ENV);
    children.push(first);
    const { job } = await queueScoring({ type: 'system' }, { model: modelName, version: 1 });

    const seen: Observation[] = [];
    // Watch the first attempt until it is well under way, then kill its worker between two observations.
    for (;;) {
      const now = await observe(client, job.id);
      seen.push(now);
      assert.notEqual(now.status, 'succeeded', 'the job finished before the kill: give it more rows');
      if (now.committed >= ROWS / 10) break;
    }
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const afterCrash = await observe(client, job.id);
    assert.equal(afterCrash.status, 'running', 'killed part-way');
    assert.ok(afterCrash.committed > 0 && afterCrash.committed < ROWS, `${afterCrash.committed} committed`);
    assert.equal(
      afterCrash.done,
      afterCrash.committed,
      'after the crash, before the resume: the page shows what is committed',
    );

    children.push(await startWorkerProcess(WORKER_ENV));
    // Until the new worker claims the job (pg-boss hands a dead worker's job on once its heartbeat has
    // expired: tens of seconds), nothing writes to it: observed every 100 ms, not back to back (that
    // kept Postgres busy counting the same rows all along). The claim adds the attempt, before any
    // progress; from then on every observation follows the last.
    for (;;) {
      const now = await observe(client, job.id);
      seen.push(now);
      if (now.attempts >= 2 || now.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (;;) {
      const now = await observe(client, job.id);
      seen.push(now);
      if (['succeeded', 'failed'].includes(now.status)) break;
    }
    const ahead = seen.filter((o) => o.done !== o.committed);
    assert.deepEqual(
      ahead.slice(0, 5),
      [],
      `${ahead.length} of ${seen.length} observations showed a progress other than the committed rows`,
    );
    const finished = await waitForJob(job.id);
    assert.equal(finished.status, 'succeeded', finished.error ?? '');
    assert.equal(Number(finished.progressDone), ROWS);

    // Each delivery's start names its attempt: the log tells a retry from a double start.
    const starts = await AuditEvent.findAll({
      where: { action: 'jobs.start', resource: 'jobs' },
      order: [['seq', 'ASC']],
    });
    const ofJob = starts.filter((e) => e.recordIds.map(Number).includes(job.id));
    assert.deepEqual(
      ofJob.map((e) => (e.after as { attempt?: number } | null)?.attempt),
      [1, 2],
    );
    const finish = await AuditEvent.findOne({
      where: { action: 'jobs.finish', resource: 'jobs' },
      order: [['seq', 'DESC']],
    });
    assert.equal((finish?.after as { attempt?: number } | null)?.attempt, 2);
  });

  it('a worker stopped with SIGTERM leaves progress equal to its committed chunks', async function () {
    this.timeout(240_000);
    for (const idle of children.splice(0)) await stopProcess(idle);
    const worker = await startWorkerProcess(WORKER_ENV);
    children.push(worker);
    const { job } = await queueScoring({ type: 'system' }, { model: modelName, version: 1 });
    for (;;) {
      const now = await observe(client, job.id);
      assert.notEqual(now.status, 'succeeded', 'the job finished before the stop: give it more rows');
      if (now.committed >= ROWS / 10) break;
    }
    assert.equal(await stopProcess(worker, 'SIGTERM'), 0);
    const handedOver = await observe(client, job.id);
    assert.equal(handedOver.status, 'queued');
    assert.equal(handedOver.done, handedOver.committed);
    const handover = await AuditEvent.findOne({
      where: { action: 'jobs.handover', resource: 'jobs' },
      order: [['seq', 'DESC']],
    });
    assert.equal((handover?.after as { attempt?: number } | null)?.attempt, 1);
  });
});
