import assert from 'node:assert/strict';
import { DataRecord, Dataset, ModelVersion } from '../../../models/index.js';
import type { TrainingSnapshot } from '../../../models/model-version.js';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { changeRecords } from '../../support/change-records.js';

describe('trainModel: training filter, progress per epoch, off the event loop (real Postgres)', () => {
  before(useTestDatabase);

  it('trains only on the rows the filter selects and records the filter in the snapshot', async () => {
    const model = await createPenguinModel('filter');
    const dataset = (await Dataset.findByPk(model.datasetId))!;
    const train = await DataRecord.findAll({
      where: { datasetId: dataset.id, split: 'train' },
      order: [['id', 'ASC']],
    });
    const tagged = train.filter((_, i) => i % 2 === 0);
    await changeRecords(() => DataRecord.update({ tags: ['reviewed'] }, { where: { id: tagged.map((r) => r.id) } }));

    const result = await trainModel({ type: 'system' }, { model: model.name, tag: 'reviewed', maxEpochs: 10 });
    assert.equal(result.trainingRows, tagged.filter((r) => r.label !== null).length);
    const snapshot = (await ModelVersion.findByPk(result.version.id))!.trainingSnapshot as TrainingSnapshot & {
      filter: Record<string, unknown>;
    };
    assert.equal(snapshot.filter.tag, 'reviewed');
    assert.equal(snapshot.rowCount, result.trainingRows);

    // "edited since": only rows touched after the cut-off.
    const cutOff = new Date(Date.now() + 1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const relabelled = train.filter((_, i) => i % 3 === 0); // every species (the rows are grouped by species)
    await changeRecords(() =>
      DataRecord.update({ source: 'relabelled' }, { where: { id: relabelled.map((r) => r.id) } }),
    );
    const recent = await trainModel(
      { type: 'system' },
      { model: model.name, editedSince: cutOff.toISOString(), maxEpochs: 10 },
    );
    assert.equal(recent.trainingRows, relabelled.length);
  });

  it('says which filter matched no rows instead of training on nothing', async () => {
    const model = await createPenguinModel('filter-empty');
    await assert.rejects(
      trainModel({ type: 'system' }, { model: model.name, tag: 'no-such-tag' }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInput);
        assert.equal(error.code, 'training.empty');
        assert.match(error.message, /tag = no-such-tag/);
        return true;
      },
    );
    await assert.rejects(
      trainModel({ type: 'system' }, { model: model.name, editedSince: 'yesterday-ish' }),
      /editedSince: give a date/,
    );
  });

  it('fits in a worker thread: reports each epoch while this event loop keeps running', async () => {
    const model = await createPenguinModel('thread');
    const epochs: number[] = [];
    let ticksDuringFit = 0;
    let fitting = false;
    const timer = setInterval(() => {
      if (fitting) ticksDuringFit += 1;
    }, 1);
    try {
      const result = await trainModel(
        { type: 'system' },
        { model: model.name, maxEpochs: 200, learningRate: 0.001 },
        {
          phase: async (name, done) => {
            fitting = name === 'training';
            if (name === 'training' && done > 0) {
              epochs.push(done);
              await new Promise((resolve) => setTimeout(resolve, 5)); // a slow progress write must not stall the fit
            }
          },
        },
      );
      assert.ok(epochs.length >= 2, `progress reported for ${epochs.length} epochs`);
      assert.deepEqual(
        epochs,
        [...epochs].sort((a, b) => a - b),
        'epochs reported in order',
      );
      assert.equal(
        epochs.at(-1),
        (result.version.hyperparameters as { epochs: number }).epochs,
        'the last epoch is reported',
      );
      assert.ok(ticksDuringFit > 0, 'timers fired while the model was being fitted');
    } finally {
      clearInterval(timer);
    }
  });

  it('stops the fit when progress reporting throws (cancellation), and registers nothing', async () => {
    const model = await createPenguinModel('thread-stop');
    class Stop extends Error {}
    await assert.rejects(
      trainModel(
        { type: 'system' },
        { model: model.name, maxEpochs: 500, learningRate: 0.0005 },
        {
          phase: async (name, done) => {
            if (name === 'training' && done >= 2) throw new Stop('cancelled');
          },
        },
      ),
      Stop,
    );
    assert.equal(await ModelVersion.count({ where: { modelId: model.id } }), 0);
  });
});
