import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { Dataset, Job, MlModel, ModelVersion } from '../../../models/index.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { loadSpamAssassin } from '../../../seeders/spam-assassin.js';
import { enqueueJob } from '../../../src/jobs/enqueue-job.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { stopWorker } from '../../../src/jobs/run-worker.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { startWorkerProcess, WORKER_QUEUE_TIMING } from '../../support/worker-process.js';

describe('a worker killed mid-job (SIGKILL)', () => {
  const children: ChildProcess[] = [];
  let modelName: string;

  before(async function () {
    this.timeout(120_000);
    await useTestDatabase();
    await startQueue(testDatabaseUrl(), WORKER_QUEUE_TIMING);
    await stopWorker(); // only the worker processes below may take this job
    const name = unique('spam');
    await insertDataset(
      { type: 'system' },
      { name, task: 'text-classification', labels: ['ham', 'spam'], description: null, source: null, license: null },
      loadSpamAssassin().map((e) => ({ ...e, features: null })),
    );
    const dataset = (await Dataset.findOne({ where: { name } }))!;
    modelName = unique('spam-filter');
    await MlModel.create({
      name: modelName,
      datasetId: dataset.id,
      task: 'text-classification',
      description: null,
      createdById: null,
    });
  });
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('has its job retried by another worker: finished once, one new version, two attempts', async function () {
    this.timeout(120_000);
    const first = await startWorkerProcess();
    children.push(first);
    const job = await enqueueJob({ type: 'system' }, 'train', { model: modelName });
    const deadline = Date.now() + 60_000;
    while ((await job.reload()).status !== 'running') {
      assert.ok(Date.now() < deadline, `job never started (status ${job.status})`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    assert.notEqual((await job.reload()).status, 'succeeded', 'killed before it could finish');

    children.push(await startWorkerProcess());
    const finishBy = Date.now() + 90_000;
    while (!['succeeded', 'failed'].includes((await job.reload()).status)) {
      assert.ok(Date.now() < finishBy, `job still ${job.status} 90 s after the crash`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(job.attempts, 2);
    const model = (await MlModel.findOne({ where: { name: modelName } }))!;
    assert.equal(
      await ModelVersion.count({ where: { modelId: model.id } }),
      1,
      'exactly one version: nothing duplicated',
    );
    assert.equal(await Job.count({ where: { id: job.id } }), 1);
  });
});
