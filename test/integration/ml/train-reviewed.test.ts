import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, Dataset, ModelVersion, sequelizeOf, type MlModel } from '../../../models/index.js';
import type { TrainingSnapshot } from '../../../models/model-version.js';
import type { Actor } from '../../../src/access/actor.js';
import { Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { encodeRow } from '../../../src/ml/tabular/tabular-encoder.js';
import type { ReviewedReport } from '../../../src/ml/reviewed/reviewed-report.js';
import { trainJobParams, trainModel } from '../../../src/ml/train-model.js';
import { changeRecords } from '../../support/change-records.js';
import { createTestUser } from '../../support/console-server.js';
import { useTestDatabase } from '../../support/database.js';
import { ort, runOnnx } from '../../support/onnx.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { insertReviewQueue } from '../../support/reviewed-labels.js';

/** The held-out rule, written out again here: sha256 of the prefixed id, first 32 bits below 20%. */
const heldOutByHash = (id: number) =>
  createHash('sha256').update(`modeldesk.reviewed-hold-out:${id}`).digest().readUInt32BE(0) < 0.2 * 2 ** 32;

/** The training snapshot's content hash, written out again here: which rows (and labels) the version saw. */
function contentHashOf(rows: readonly DataRecord[]): string {
  const hash = createHash('sha256');
  for (const row of rows)
    hash.update(`${row.id}\u0000${row.label}\u0000${row.text ?? JSON.stringify(row.features)}\u0001`);
  return hash.digest('hex');
}

const rejectsWith = (code: string, message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof InvalidInput, String(error));
  assert.equal(error.code, code);
  assert.match(error.message, message);
  return true;
};

describe('retrain with reviewed records: the reviewed filter, the held-out reviewed sample, errors, access (real Postgres)', () => {
  let scientist: Actor;
  let model: MlModel;
  let dataset: Dataset;
  let v1: ModelVersion;
  let train: DataRecord[];
  let test: DataRecord[];

  before(async function () {
    this.timeout(60_000);
    await useTestDatabase();
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    model = await createPenguinModel('reviewed');
    dataset = (await Dataset.findByPk(model.datasetId))!;
    v1 = (await trainModel(scientist, { model: model.name, maxIterations: 50 })).version;
    const rows = await DataRecord.findAll({ where: { datasetId: dataset.id }, order: [['id', 'ASC']] });
    train = rows.filter((r) => r.split === 'train' && r.label !== null);
    test = rows.filter((r) => r.split === 'test' && r.label !== null);
  });

  it('trains on the reviewed train rows with the rest of the split, less a fixed 20% by record id, and evaluates that 20%', async function () {
    this.timeout(60_000);
    const since = new Date(Date.now() - 60 * 60_000);
    const reviewed = train.filter((_, i) => i % 3 === 0); // every species: the rows are grouped by species
    const notReviewed = train.filter((_, i) => i % 3 === 1);
    await insertReviewQueue(dataset.id, v1.id, [
      ...reviewed.map((r) => ({ recordId: r.id, label: r.label! })),
      // Reviewed test rows stay test rows: never trained on, not counted.
      ...test.slice(0, 5).map((r) => ({ recordId: r.id, label: r.label! })),
      // Not reviewed in the window: pending, skipped, labelled before `since`.
      { recordId: notReviewed[0]!.id, state: 'pending' as const },
      { recordId: notReviewed[1]!.id, state: 'skipped' as const },
      { recordId: notReviewed[2]!.id, label: notReviewed[2]!.label!, labelledAt: new Date(since.getTime() - 60_000) },
    ]);
    // A queue of another dataset naming this dataset's record: not a review of this dataset.
    const other = await createPenguinModel('reviewed-other');
    await insertReviewQueue(other.datasetId, v1.id, [{ recordId: notReviewed[3]!.id, label: 'Adelie' }]);

    const heldOut = reviewed.filter((r) => heldOutByHash(r.id));
    assert.ok(heldOut.length >= 5 && heldOut.length < reviewed.length, `${heldOut.length} held out`);
    const heldOutIds = new Set(heldOut.map((r) => r.id));
    const trainedOn = train.filter((r) => !heldOutIds.has(r.id));

    const result = await trainModel(scientist, { model: model.name, reviewedSince: since.toISOString() });
    assert.equal(result.trainingRows, trainedOn.length, 'the whole train split, less the held-out reviewed rows');
    assert.deepEqual(
      { ...result.reviewed, metrics: 'checked below' },
      {
        since: since.toISOString(),
        learnedFrom: reviewed.length - heldOut.length,
        heldOut: heldOut.length,
        metrics: 'checked below',
      },
    );
    const version = (await ModelVersion.findByPk(result.version.id))!;
    const snapshot = version.trainingSnapshot as TrainingSnapshot;
    assert.equal(snapshot.contentHash, contentHashOf(trainedOn), 'the held-out reviewed rows were never trained on');
    assert.deepEqual(
      {
        reviewedSince: snapshot.filter.reviewedSince,
        reviewedHeldOut: snapshot.filter.reviewedHeldOut,
      },
      { reviewedSince: since.toISOString(), reviewedHeldOut: heldOut.length },
    );

    // The held-out numbers, recomputed here from the exported ONNX on exactly the held-out rows.
    const metrics = version.metrics as { rows: number; reviewed: ReviewedReport };
    assert.equal(metrics.rows, test.length, 'the test metrics stay on the test split');
    const labels = ['Adelie', 'Chinstrap', 'Gentoo'];
    const encoded = heldOut.flatMap((r) => Array.from(encodeRow(r.features ?? {}, dataset.featureSchema)));
    const { probabilities } = await runOnnx(result.version.onnx, {
      features: new ort.Tensor('float32', Float32Array.from(encoded), [heldOut.length, dataset.featureSchema.length]),
    });
    let right = 0;
    let logLoss = 0;
    heldOut.forEach((r, i) => {
      const p = Array.from(probabilities.subarray(i * 3, i * 3 + 3));
      if (p.indexOf(Math.max(...p)) === labels.indexOf(r.label!)) right += 1;
      logLoss -= Math.log(Math.max(1e-15, p[labels.indexOf(r.label!)]!));
    });
    const held = metrics.reviewed.metrics!;
    assert.equal(held.rows, heldOut.length);
    assert.equal(held.accuracy, right / heldOut.length);
    assert.ok(Math.abs(held.calibration.logLoss - logLoss / heldOut.length) < 1e-4, `${held.calibration.logLoss}`);
    assert.equal(typeof held.calibration.ece, 'number');

    // Deterministic: the same window holds out the same rows and trains on the same data.
    const again = await trainModel(scientist, { model: model.name, reviewedSince: since.toISOString() });
    assert.equal((again.version.trainingSnapshot as TrainingSnapshot).contentHash, snapshot.contentHash);
    assert.equal(again.reviewed?.heldOut, heldOut.length);

    // The registration is audited with the reviewed window in the snapshot.
    const event = await AuditEvent.findOne({
      where: { action: 'model_versions.create', recordIds: [String(version.id)], outcome: 'success' },
    });
    const after = event?.after as { trainingSnapshot: TrainingSnapshot };
    assert.equal(after.trainingSnapshot.filter.reviewedSince, since.toISOString());
  });

  it('also trains on reviewed rows the other filters leave out', async function () {
    this.timeout(60_000);
    const tagged = train.filter((_, i) => i % 2 === 0);
    await changeRecords(() => DataRecord.update({ tags: ['gold'] }, { where: { id: tagged.map((r) => r.id) } }));
    const since = new Date(Date.now() - 60 * 60_000);
    const reviewedIds = new Set(
      (
        await sequelizeOf().query<{ record_id: number }>(
          `SELECT DISTINCT i.record_id FROM review_items i JOIN review_queues q ON q.id = i.queue_id
            WHERE q.dataset_id = :id AND i.state = 'labelled' AND i.labelled_at >= :since`,
          { replacements: { id: dataset.id, since }, type: QueryTypes.SELECT },
        )
      ).map((r) => Number(r.record_id)),
    );
    const reviewedTrain = train.filter((r) => reviewedIds.has(r.id));
    const learnFrom = reviewedTrain.filter((r) => !heldOutByHash(r.id));
    const expected = train.filter(
      (r) => (tagged.includes(r) && !(reviewedIds.has(r.id) && heldOutByHash(r.id))) || learnFrom.includes(r),
    );
    const result = await trainModel(scientist, {
      model: model.name,
      tag: 'gold',
      reviewedSince: since.toISOString(),
      maxIterations: 20,
    });
    assert.equal(result.trainingRows, expected.length);
    assert.equal(
      (result.version.trainingSnapshot as TrainingSnapshot).contentHash,
      contentHashOf(expected),
      'tagged rows ∪ reviewed rows, less the held-out reviewed ones',
    );
  });

  it('counts "since the latest version" from when that version was created', async function () {
    this.timeout(60_000);
    const latest = (await ModelVersion.findOne({ where: { modelId: model.id }, order: [['version', 'DESC']] }))!;
    const before = train.slice(0, 10);
    const afterward = train.slice(-40);
    await insertReviewQueue(dataset.id, latest.id, [
      ...before.map((r) => ({
        recordId: r.id,
        label: r.label!,
        labelledAt: new Date(latest.createdAt.getTime() - 1),
      })),
      ...afterward.map((r) => ({
        recordId: r.id,
        label: r.label!,
        labelledAt: new Date(latest.createdAt.getTime() + 1),
      })),
    ]);
    const result = await trainModel(scientist, { model: model.name, reviewedSinceVersion: true, maxIterations: 20 });
    const heldOut = afterward.filter((r) => heldOutByHash(r.id)).length;
    assert.deepEqual(
      { ...result.reviewed, metrics: undefined, note: undefined },
      {
        since: latest.createdAt.toISOString(),
        sinceVersion: latest.version,
        learnedFrom: afterward.length - heldOut,
        heldOut,
        metrics: undefined,
        note: undefined,
      },
    );
    assert.equal(result.version.trainingSnapshot?.filter.reviewedSinceVersion, latest.version);
  });

  it('says what to do when nothing was reviewed in the window, and registers nothing', async function () {
    this.timeout(60_000);
    const versions = await ModelVersion.count({ where: { modelId: model.id } });
    await assert.rejects(
      trainModel(scientist, { model: model.name, reviewedSince: '2999-01-01' }),
      rejectsWith(
        'training.no_reviewed',
        /^No record of dataset ".+" was labelled through a review queue since 2999-01-01 00:00 UTC: label records in a review queue first .*or give an earlier date\.$/,
      ),
    );
    // A fresh version and nothing reviewed since it.
    await assert.rejects(
      trainModel(scientist, { model: model.name, reviewedSinceVersion: 'true' }),
      rejectsWith('training.no_reviewed', /since v\d+ was created \(/),
    );
    await assert.rejects(
      trainModel(scientist, { model: model.name, reviewedSince: 'last tuesday' }),
      rejectsWith('training.invalid_input', /reviewedSince: give a date, e\.g\. 2026-12-01/),
    );
    await assert.rejects(
      trainModel(scientist, { model: model.name, reviewedSince: '2026-01-01', reviewedSinceVersion: true }),
      rejectsWith('training.invalid_input', /give either a date or "since the latest version", not both/),
    );
    assert.equal(await ModelVersion.count({ where: { modelId: model.id } }), versions);

    const fresh = await createPenguinModel('reviewed-fresh');
    await assert.rejects(
      trainModel(scientist, { model: fresh.name, reviewedSinceVersion: true }),
      rejectsWith(
        'training.no_version',
        /has no version yet, so "reviewed since the latest version" has no start: give a date instead/,
      ),
    );
    const v = (await trainModel(scientist, { model: fresh.name, maxIterations: 5 })).version;
    const freshTest = await DataRecord.findAll({ where: { datasetId: fresh.datasetId, split: 'test' }, limit: 3 });
    await insertReviewQueue(
      fresh.datasetId,
      v.id,
      freshTest.map((r) => ({ recordId: r.id, label: r.label ?? 'Adelie' })),
    );
    await assert.rejects(
      trainModel(scientist, { model: fresh.name, reviewedSince: '2020-01-01' }),
      rejectsWith(
        'training.no_reviewed',
        /^The 3 record\(s\) of dataset ".+" labelled through a review queue since 2020-01-01 00:00 UTC are all in the test or holdout split/,
      ),
    );
  });

  it('checks the window before a job is queued: dates as ISO, the flag from a form checkbox, not both', () => {
    assert.deepEqual(trainJobParams('m', { reviewedSince: '2026-12-01', reviewedSinceVersion: '' }), {
      model: 'm',
      reviewedSince: '2026-12-01T00:00:00.000Z',
    });
    assert.deepEqual(trainJobParams('m', { reviewedSinceVersion: 'on' }), { model: 'm', reviewedSinceVersion: true });
    assert.throws(() => trainJobParams('m', { reviewedSince: '2026-12-01', reviewedSinceVersion: 'true' }), /not both/);
  });

  it('refuses a content manager, audited as denied, whatever the window', async () => {
    const manager: Actor = { type: 'user', ...(await createTestUser('content_manager')) };
    await assert.rejects(
      trainModel(manager, { model: model.name, reviewedSinceVersion: true }),
      (error: unknown) => error instanceof Forbidden,
    );
    const denied = await AuditEvent.findOne({
      where: {
        action: 'models.train',
        recordIds: [String(model.id)],
        outcome: 'denied',
        actorId: String((manager as { id: number }).id),
      },
    });
    assert.ok(denied, 'the refusal is in the audit log');
  });
});
