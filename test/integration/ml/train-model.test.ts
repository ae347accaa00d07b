import assert from 'node:assert/strict';
import { DataRecord, Dataset, ModelVersion } from '../../../models/index.js';
import type { TrainingSnapshot } from '../../../models/model-version.js';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { changeRecords } from '../../support/change-records.js';

describe('trainModel: training filter, progress per solver iteration, off the event loop (real Postgres)', () => {
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

    const result = await trainModel({ type: 'system' }, { model: model.name, tag: 'reviewed', maxIterations: 10 });
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
      { model: model.name, editedSince: cutOff.toISOString(), maxIterations: 10 },
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

  it('fits in a worker thread: reports each iteration while this event loop keeps running', async () => {
    const model = await createPenguinModel('thread');
    const iterations: number[] = [];
    let ticksDuringFit = 0;
    let fitting = false;
    const timer = setInterval(() => {
      if (fitting) ticksDuringFit += 1;
    }, 1);
    try {
      const result = await trainModel(
        { type: 'system' },
        { model: model.name },
        {
          phase: async (name, done) => {
            fitting = name === 'training';
            if (name === 'training' && done > 0) {
              iterations.push(done);
              await new Promise((resolve) => setTimeout(resolve, 5)); // a slow progress write must not stall the fit
            }
          },
        },
      );
      assert.ok(iterations.length >= 2, `progress reported for ${iterations.length} iterations`);
      assert.deepEqual(
        iterations,
        [...iterations].sort((a, b) => a - b),
        'iterations reported in order',
      );
      const training = (result.version.metrics as { training: { iterations: number; converged: boolean } }).training;
      assert.equal(iterations.at(-1), training.iterations, 'the last iteration is reported');
      assert.equal(training.converged, true, 'the default fit converges on the penguins');
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
        { model: model.name },
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

  it('stores how the fit went: a fit stopped by maxIterations is marked as not converged', async () => {
    const model = await createPenguinModel('capped');
    const capped = await trainModel({ type: 'system' }, { model: model.name, maxIterations: 3 });
    assert.deepEqual(
      { ...(capped.version.metrics as { training: Record<string, unknown> }).training, gradientNorm: 'checked below' },
      { solver: 'lbfgs', iterations: 3, maxIterations: 3, converged: false, gradientNorm: 'checked below' },
    );
    // The former name still works (old scheduled jobs, scripts): maxEpochs is read as maxIterations.
    const aliased = await trainModel({ type: 'system' }, { model: model.name, maxEpochs: 2, learningRate: 0.1 });
    const training = (aliased.version.metrics as { training: { iterations: number; maxIterations: number } }).training;
    assert.deepEqual([training.iterations, training.maxIterations], [2, 2]);
    assert.equal('learningRate' in aliased.version.hyperparameters, false, 'the ignored learning rate is not stored');
  });
});
