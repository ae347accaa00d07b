import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ModelVersion } from '../../../models/index.js';
import { systemActor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { openClassifier, signatureOf } from '../../../src/ml/onnx-classifier.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { PredictSampler } from '../../../src/monitoring/predict-sampler.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { createTestUser, startConsoleServer, type RunningConsole } from '../../support/console-server.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';

interface SampleRow {
  model_version_id: number;
  feature_vector: Buffer | null;
  text: string | null;
  predicted_label: string;
  probabilities: number[];
  margin: number;
}

/** Arrays as the predict endpoint takes them: the penguins' six features, the two categories as indexes. */
const INSTANCES = [
  [39.1, 18.7, 181, 3750, 2, 1],
  [46.5, 17.9, 192, 3500, 1, 0],
  [50, 15.2, 218, 5700, 0, 1],
];

describe('sampled API predictions in predict_samples (real HTTP, Postgres, onnxruntime)', () => {
  let sequelize: Sequelize;
  let modelName: string;
  let version: ModelVersion;
  let key: string;

  const samples = (versionId: number) =>
    sequelize.query<SampleRow>(
      `SELECT model_version_id, feature_vector, text, predicted_label, probabilities, margin
         FROM predict_samples WHERE model_version_id = :versionId ORDER BY id`,
      { replacements: { versionId }, type: QueryTypes.SELECT },
    );

  const predictWith = async (server: RunningConsole) => {
    const response = await fetch(`${server.baseUrl}/api/v1/models/${modelName}/predict`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ instances: INSTANCES }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { predictions: Array<{ label: string; probabilities: Record<string, number> }> };
  };

  before(async function () {
    this.timeout(180_000);
    sequelize = await useTestDatabase();
    const user = await createTestUser('data_scientist');
    const model = await createPenguinModel('samples');
    modelName = model.name;
    version = (await trainModel({ type: 'user', ...user }, { model: modelName, maxIterations: 20 })).version;
    await promoteAlias(systemActor, { versionId: version.id, alias: 'production' });
    key = (await createApiKey(systemActor, { ownerEmail: user.email, name: 'samples', scopes: ['predict'] })).key;
  });

  it('keeps every instance at rate 1: the row the model read, its answer and margin, written after the answer', async function () {
    this.timeout(60_000);
    const server = await startConsoleServer({ PREDICT_SAMPLE_RATE: '1', PREDICT_CACHE_ENTRIES: '0' });
    try {
      const answer = await predictWith(server);
      await server.flushApi();
      const rows = await samples(version.id);
      assert.equal(rows.length, INSTANCES.length);
      // The model's own output for the same rows, computed here.
      const full = (await ModelVersion.unscoped().findByPk(version.id))!;
      const signature = signatureOf(full);
      const classifier = await openClassifier(full.onnx, signature);
      const expected = await classifier.predict(new Float32Array(INSTANCES.flat()));
      await classifier.release();
      const k = signature.labels.length;
      rows.forEach((row, i) => {
        assert.equal(row.text, null);
        const vector = row.feature_vector!;
        assert.equal(vector.length, 4 * INSTANCES[i]!.length);
        INSTANCES[i]!.forEach((value, j) => assert.equal(vector.readFloatBE(4 * j), Math.fround(value)));
        assert.equal(row.predicted_label, answer.predictions[i]!.label);
        const probabilities = Array.from(expected.probabilities.subarray(i * k, (i + 1) * k));
        row.probabilities.forEach((p, c) => assert.ok(Math.abs(p - probabilities[c]!) < 1e-6));
        const [top, second] = [...probabilities].sort((a, b) => b - a);
        assert.ok(Math.abs(row.margin - (top! - second!)) < 1e-6);
      });
    } finally {
      await server.stop();
    }
  });

  it('samples large bodies too: the inference thread picks them and hands back only those rows', async function () {
    this.timeout(60_000);
    await sequelize.query('DELETE FROM predict_samples');
    const server = await startConsoleServer({
      PREDICT_SAMPLE_RATE: '1',
      PREDICT_CACHE_ENTRIES: '0',
      INFERENCE_THREADS: '1',
      API_MAX_INSTANCES: '5000',
    });
    try {
      // Over 64 KiB: answered by the inference thread.
      const instances = Array.from({ length: 4_000 }, (_, i) => [
        35 + (i % 20),
        15 + (i % 6),
        180 + (i % 40),
        3_000 + i,
        i % 3,
        i % 2,
      ]);
      const body = JSON.stringify({ instances });
      assert.ok(body.length > 64 * 1024);
      const response = await fetch(`${server.baseUrl}/api/v1/models/${modelName}/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      const answer = (await response.json()) as { predictions: Array<{ label: string }> };
      assert.equal(response.status, 200, JSON.stringify(answer));
      await server.flushApi();
      const rows = await samples(version.id);
      assert.equal(rows.length, instances.length);
      rows.forEach((row, i) => {
        assert.equal(row.feature_vector!.readFloatBE(12), instances[i]![3]);
        assert.equal(row.predicted_label, answer.predictions[i]!.label);
      });
    } finally {
      await server.stop();
    }
  });

  it('keeps nothing at rate 0', async function () {
    this.timeout(60_000);
    await sequelize.query('DELETE FROM predict_samples');
    const server = await startConsoleServer({ PREDICT_SAMPLE_RATE: '0', PREDICT_CACHE_ENTRIES: '0' });
    try {
      await predictWith(server);
      await server.flushApi();
      assert.equal((await samples(version.id)).length, 0);
    } finally {
      await server.stop();
    }
  });

  it('picks instances with the rate, stores text inputs as text, and drops beyond its buffer (counted)', async () => {
    // Gaps between kept instances at rate 0.5: a draw of 0 keeps the next one, 0.6 skips one, 0.99 ends.
    const draws = [0, 0.6, 0.99];
    let n = 0;
    const sampler = new PredictSampler(sequelize, {
      rate: 0.5,
      retentionDays: 30,
      random: () => draws[n++ % draws.length]!,
      maxPending: 1,
    });
    const served = { versionId: version.id, signature: { labels: ['a', 'b'] }, width: 0 };
    // Instances 0 and 2 are picked; the buffer holds one, so 2 is dropped.
    sampler.offer(served, ['first text', 'second', 'third'], new Float32Array([0.9, 0.1, 0.4, 0.6, 0.3, 0.7]), 3);
    assert.equal(sampler.dropped, 1);
    await sequelize.query('DELETE FROM predict_samples');
    await sampler.flush();
    const rows = await samples(version.id);
    assert.deepEqual(
      rows.map((r) => [r.text, r.feature_vector, r.predicted_label]),
      [['first text', null, 'a']],
    );
    assert.ok(Math.abs(rows[0]!.margin - 0.8) < 1e-6);
  });

  it('deletes samples past the retention, in batches, and keeps the newer ones', async () => {
    await sequelize.query('DELETE FROM predict_samples');
    await sequelize.query(
      `INSERT INTO predict_samples (model_version_id, created_at, text, predicted_label, probabilities, margin)
       SELECT :versionId, now() - make_interval(days => CASE WHEN g <= 12000 THEN 31 ELSE 29 END), 'x', 'a', '{1,0}', 1
         FROM generate_series(1, 12010) g`,
      { replacements: { versionId: version.id } },
    );
    const sampler = new PredictSampler(sequelize, { rate: 0, retentionDays: 30 });
    assert.equal(await sampler.deleteExpired(), 12_000);
    const [left] = await sequelize.query<{ n: string }>('SELECT count(*) AS n FROM predict_samples', {
      type: QueryTypes.SELECT,
    });
    assert.equal(Number(left!.n), 10);
  });
});
