import assert from 'node:assert/strict';
import { MlModel, ModelVersion, type Job } from '../../../models/index.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { cancelJob } from '../../../src/jobs/cancel-job.js';
import { enqueueJob } from '../../../src/jobs/enqueue-job.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import { C_GRID, FOLDS, l2ForC } from '../../../src/ml/search/cross-validate.js';
import type { SearchReport } from '../../../src/ml/search/search-report.js';
import { seededRandom } from '../../../src/ml/seeded-random.js';
import { trainJobParams, trainModel } from '../../../src/ml/train-model.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';

async function waitFor(job: Job, done: (job: Job) => boolean, timeoutMs = 120_000, pollMs = 200): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await job.reload();
    if (done(job)) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${job.id} still ${job.status} (${job.phase}) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** A text dataset big enough that its search (up to 19 candidates × 5 folds) takes a while, and a model on it. */
async function createTextModel(prefix: string, rows: number): Promise<MlModel> {
  const random = seededRandom(11);
  const word = () => `w${Math.floor(random() * 3_000)}`;
  const name = unique(`${prefix}-texts`);
  const dataset = await insertDataset(
    { type: 'system' },
    {
      name,
      task: 'text-classification',
      labels: ['ham', 'spam'],
      featureSchema: [],
      description: null,
      source: null,
      license: null,
    },
    Array.from({ length: rows }, (_, i) => {
      const spam = i % 3 === 0;
      const marker = random() < 0.8 ? (spam ? 'offer' : 'meeting') : spam ? 'meeting' : 'offer';
      return {
        text: [marker, ...Array.from({ length: 40 }, word)].join(' '),
        label: spam ? 'spam' : 'ham',
        split: i % 5 === 0 ? ('test' as const) : ('train' as const),
        features: null,
        tags: [],
        source: null,
      };
    }),
  );
  return MlModel.create({
    name: unique(`${prefix}-filter`),
    datasetId: dataset!.id,
    task: 'text-classification',
    description: null,
    createdById: null,
  });
}

describe('training with the hyperparameter search: stored scores, fold progress, cancellation, bad input (real Postgres)', () => {
  let scientist: Actor & { type: 'user'; email: string };
  let penguins: MlModel;

  before(async () => {
    await useTestDatabase();
    await startQueue(testDatabaseUrl());
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    penguins = await createPenguinModel('search');
  });
  after(() => stopWorker());

  it('stores every candidate and fold with the version, the chosen C as its l2, and reports each fold', async function () {
    this.timeout(120_000);
    const phases: Array<[string, number, number]> = [];
    const result = await trainModel(
      scientist,
      { model: penguins.name, search: 'true' },
      { phase: async (name, done, total) => void phases.push([name, done, total]) },
    );
    const version = (await ModelVersion.findByPk(result.version.id))!;
    const search = version.hyperparameters.search as SearchReport;
    assert.equal(search.folds, FOLDS);
    assert.equal(search.metric, 'logLoss');
    assert.deepEqual(
      search.candidates.map((c) => c.params.C),
      [...C_GRID],
    );
    for (const candidate of search.candidates) {
      assert.equal(candidate.foldLogLoss.length, FOLDS);
      assert.ok(Number.isFinite(candidate.meanLogLoss) && Number.isFinite(candidate.stdLogLoss));
    }
    assert.ok(search.candidates.some((c) => c.params.C === search.chosen.C));
    assert.equal(version.hyperparameters.C, search.chosen.C);
    assert.equal(version.hyperparameters.l2, l2ForC(search.chosen.C, result.trainingRows));

    const searching = phases.filter(([name]) => name.startsWith('searching'));
    assert.equal(searching.length, C_GRID.length * FOLDS, 'one report per fold of each candidate');
    const fits = C_GRID.length * FOLDS;
    assert.deepEqual(searching[0], [`searching: candidate 1 of ${C_GRID.length}, fold 1 of 5`, 0, fits]);
    assert.deepEqual(searching.at(-1), [
      `searching: candidate ${C_GRID.length} of ${C_GRID.length}, fold 5 of 5`,
      fits - 1,
      fits,
    ]);
    const firstTraining = phases.findIndex(([name], i) => name === 'training' && i > phases.indexOf(searching.at(-1)!));
    assert.ok(firstTraining > 0, 'the refit on all train rows comes after the search');
  });

  it('runs in a worker job and stops between folds when cancelled', async function () {
    this.timeout(240_000);
    await startWorker();
    const finished = await enqueueJob(scientist, 'train', { model: penguins.name, search: true });
    await waitFor(finished, (j) => ['succeeded', 'failed'].includes(j.status));
    assert.equal(finished.status, 'succeeded', finished.error ?? '');
    const stored = (await ModelVersion.findByPk((finished.result as { modelVersionId: number }).modelVersionId))!;
    assert.equal((stored.hyperparameters.search as SearchReport).candidates.length, C_GRID.length);

    const texts = await createTextModel('search-cancel', 3_000);
    const job = await enqueueJob(scientist, 'train', { model: texts.name, search: true });
    await waitFor(
      job,
      (j) => /^searching: candidate [2-9]/.test(j.phase ?? '') || !['queued', 'running'].includes(j.status),
      120_000,
      20,
    );
    assert.equal(job.status, 'running', `still searching when cancelled (${job.status}, ${job.error ?? ''})`);
    await cancelJob(scientist, job.id);
    await waitFor(job, (j) => !['queued', 'running'].includes(j.status));
    assert.equal(job.status, 'cancelled');
    assert.equal(await ModelVersion.count({ where: { modelId: texts.id } }), 0, 'no version from a cancelled search');
  });

  it('refuses a search flag that is not yes or no, and an l2 given with the search, before queueing', async function () {
    this.timeout(120_000);
    assert.throws(
      () => trainJobParams(penguins.name, { search: 'maybe' }),
      (error: unknown) => error instanceof InvalidInput && 'search' in (error.fields ?? {}),
    );
    assert.throws(
      () => trainJobParams(penguins.name, { search: 'true', l2: '0.01' }),
      (error: unknown) =>
        error instanceof InvalidInput && /either an L2 strength or the cross-validation search/.test(error.message),
    );
    assert.deepEqual(trainJobParams(penguins.name, { search: 'on' }), { model: penguins.name, search: true });

    let server: RunningConsole | undefined;
    try {
      server = await startConsoleServer();
      const { key } = await createApiKey(systemActor, {
        ownerEmail: scientist.email,
        name: 'search',
        scopes: ['jobs:write'],
      });
      const response = await fetch(`${server.baseUrl}/api/v1/models/${encodeURIComponent(penguins.name)}/train`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ search: 'maybe' }),
      });
      assert.equal(response.status, 400);
      assert.match(JSON.stringify(await response.json()), /search/);

      const http = new HttpSession(server.baseUrl);
      await http.login(scientist.email, TEST_PASSWORD);
      const form = (await (
        await http.api(`/resources/models/records/${penguins.id}/train`, 'POST', { search: 'maybe' })
      ).json()) as { notice: { type: string; message: string } };
      assert.equal(form.notice.type, 'error');
      assert.match(form.notice.message, /search/);
    } finally {
      await server?.stop();
    }
  });
});
