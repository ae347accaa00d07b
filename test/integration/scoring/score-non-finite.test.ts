import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Op } from 'sequelize';
import {
  AuditEvent,
  DataRecord,
  Dataset,
  type Job,
  type ModelVersion,
  RecordPrediction,
  sequelizeOf,
} from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { queueScoring } from '../../../src/scoring/queue-scoring.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { MAIN, TEST_SESSION_SECRET } from '../../support/cli-process.js';
import { createTestUser } from '../../support/console-server.js';
import { useTestDatabase } from '../../support/database.js';
import { waitForJob } from '../../support/jobs.js';
import { createNanVersion } from '../../support/nan-model.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { changeRecords } from '../../support/change-records.js';

interface Result {
  scored: number;
  invalid: { count: number; firstIds: number[]; reasons: Record<string, number> };
}

/**
 * Batch scoring (console, API and CLI all queue the same job) never hands a model a feature it
 * cannot read as a finite float32 (the record is skipped, with why), and never stores what a model
 * answers when that is not a number (the job fails with model.output_not_finite).
 */
describe('batch scoring: features beyond float32 and model outputs that are not numbers', () => {
  let scientist: Actor;
  let modelName: string;
  let datasetId: number;
  let v1: ModelVersion;
  let nan: ModelVersion;
  let ids: number[];
  let originals: Map<number, DataRecord['features']>;

  before(async function () {
    this.timeout(120_000);
    await useTestDatabase();
    await startQueue(testDatabaseUrl());
    await startWorker();
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    const model = await createPenguinModel('score-bounds');
    modelName = model.name;
    datasetId = model.datasetId;
    v1 = (await trainModel(scientist, { model: modelName, maxIterations: 5 })).version;
    const schema = (await Dataset.findByPk(datasetId))!.featureSchema;
    nan = await createNanVersion(
      v1,
      77,
      schema.findIndex((f) => f.name === 'body_mass_g'),
    );
    const first = await DataRecord.findAll({
      where: { datasetId },
      attributes: ['id', 'features'],
      order: [['id', 'ASC']],
      limit: 4,
    });
    ids = first.map((r) => Number(r.id));
    originals = new Map(first.map((r) => [Number(r.id), r.features]));
  });
  after(() => stopWorker());

  async function setMass(id: number, json: string): Promise<void> {
    // Written past the record checks on purpose: a row an older import or SQL let through.
    await changeRecords(() =>
      sequelizeOf().query(`UPDATE records SET features = features || '{"body_mass_g": ${json}}' WHERE id = ${id}`),
    );
  }

  async function restore(): Promise<void> {
    await changeRecords(async () => {
      for (const [id, features] of originals) await DataRecord.update({ features }, { where: { id } });
    });
  }

  async function settled(job: Job): Promise<Job> {
    await waitForJob(job.id);
    return job.reload();
  }

  it('skips a record whose stored feature is beyond float32 with the reason, and scores the others', async () => {
    await setMass(ids[0]!, '1e300');
    await setMass(ids[1]!, '-3.5e38');
    try {
      const { job } = await queueScoring(scientist, { model: modelName, version: v1.version, selection: { ids } });
      const done = await settled(job);
      assert.equal(done.status, 'succeeded', done.error ?? '');
      const result = done.result as unknown as Result;
      assert.equal(result.invalid.count, 2);
      assert.deepEqual([...result.invalid.firstIds].sort(), [ids[0], ids[1]].sort());
      assert.deepEqual(Object.keys(result.invalid.reasons), [
        "body_mass_g: must be within float32's finite range (-3.4028235e+38 to 3.4028235e+38)",
      ]);
      assert.equal(result.scored, 2);
      const written = await RecordPrediction.findAll({ where: { recordId: { [Op.in]: ids }, jobId: job.id } });
      assert.deepEqual(written.map((p) => Number(p.recordId)).sort(), [ids[2], ids[3]].sort());
      assert.ok(written.every((p) => Number.isFinite(p.score) && p.probabilities.every(Number.isFinite)));
    } finally {
      await restore();
    }
  });

  it('fails the job with model.output_not_finite when the model answers NaN, naming version and record; stores no prediction of it', async () => {
    await setMass(ids[2]!, '0'); // the NaN model divides by this feature
    try {
      const { job } = await queueScoring(scientist, { model: modelName, version: nan.version, selection: { ids } });
      const done = await settled(job);
      assert.equal(done.status, 'failed');
      assert.match(
        done.error ?? '',
        new RegExp(
          `Version ${nan.version} of model "${modelName}" answered a probability that is not a finite number .* for record ${ids[2]}.*model\\.output_not_finite`,
        ),
      );
      assert.equal(await RecordPrediction.count({ where: { jobId: job.id } }), 0, 'nothing of the chunk is written');
      const finished = await AuditEvent.findOne({
        where: { action: 'jobs.finish', outcome: 'failed', recordIds: { [Op.contains]: [String(job.id)] } },
      });
      assert.match(finished?.reason ?? '', /model\.output_not_finite/);
    } finally {
      await restore();
    }
  });

  it('the CLI says so and exits 1', async function () {
    this.timeout(120_000);
    await setMass(ids[3]!, '0');
    try {
      const env = {
        ...process.env,
        DATABASE_URL: testDatabaseUrl(),
        SESSION_SECRET: TEST_SESSION_SECRET,
        LOG_LEVEL: 'silent',
      };
      const run = await promisify(execFile)(
        process.execPath,
        [MAIN, 'score', '--model', modelName, '--version', String(nan.version)],
        { env, encoding: 'utf8' },
      ).then(
        (out) => ({ code: 0, output: out.stdout + out.stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code,
          output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
        }),
      );
      assert.equal(run.code, 1, run.output);
      assert.match(
        run.output,
        new RegExp(
          `failed: Version ${nan.version} of model "${modelName}" answered a probability that is not a finite number .* for record ${ids[3]}`,
        ),
      );
    } finally {
      await restore();
    }
  });
});
