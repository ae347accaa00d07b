import assert from 'node:assert/strict';
import { DataRecord } from '../../../models/index.js';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { readOnnxModel } from '../../../src/ml/onnx-model-proto.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { changeRecords } from '../../support/change-records.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';

interface StoredCalibration {
  logLoss: number;
  brier: number;
  ece: number;
  bins: Array<{ count: number }>;
  temperature?: number;
  heldOut?: { rows: number; logLossBefore: number; logLossAfter: number };
}

describe('calibration stored with a trained version (real Postgres)', () => {
  before(useTestDatabase);
  const system = { type: 'system' } as const;

  it('stores log loss, Brier, ECE and bins for every trained version; with calibrate, the temperature too', async () => {
    const model = await createPenguinModel('calibrated');
    const plain = (await trainModel(system, { model: model.name })).version;
    const plainCalibration = (plain.metrics as { calibration: StoredCalibration }).calibration;
    assert.ok(plainCalibration.logLoss > 0 && plainCalibration.brier > 0 && plainCalibration.ece >= 0);
    assert.equal(
      plainCalibration.bins.reduce((sum, b) => sum + b.count, 0),
      (plain.metrics as { rows: number }).rows,
    );
    assert.equal(plainCalibration.temperature, undefined);

    // "on" as the Retrain form's checkbox sends it.
    const result = await trainModel(system, { model: model.name, calibrate: 'on' });
    const calibration = (result.version.metrics as { calibration: StoredCalibration }).calibration;
    const trainRows = result.trainingRows;
    assert.ok(calibration.temperature! > 0, `T = ${calibration.temperature}`);
    assert.ok(Math.abs(calibration.heldOut!.rows - 0.15 * trainRows) <= 3, `${calibration.heldOut!.rows} held out`);
    assert.ok(calibration.heldOut!.logLossAfter <= calibration.heldOut!.logLossBefore);
    const hyperparameters = result.version.hyperparameters as { calibrate?: boolean; calibration?: unknown };
    assert.equal(hyperparameters.calibrate, true);
    assert.deepEqual(hyperparameters.calibration, {
      temperature: calibration.temperature,
      heldOut: calibration.heldOut,
    });
    assert.equal(
      readOnnxModel(result.version.onnx, 'v2.onnx').metadata['modeldesk.temperature'],
      String(calibration.temperature),
    );
  });

  it('refuses to calibrate on too few train rows, saying how many and what to do', async () => {
    const model = await createPenguinModel('calibrate-few');
    const few = await DataRecord.findAll({
      where: { datasetId: model.datasetId, split: 'train' },
      order: [['id', 'ASC']],
    });
    // Every 8th row: a few of each species (the rows are grouped by species), 4 or 5 of them held out.
    const tagged = few.filter((_, i) => i % 8 === 0).map((r) => r.id);
    await changeRecords(() => DataRecord.update({ tags: ['few'] }, { where: { id: tagged } }));
    await assert.rejects(
      trainModel(system, { model: model.name, tag: 'few', calibrate: true }),
      (error: unknown) =>
        error instanceof InvalidInput &&
        error.code === 'training.too_few_to_calibrate' &&
        /at least 10 needed\): label more train rows or train without calibration/.test(error.message),
    );
  });
});
