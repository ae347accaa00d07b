import assert from 'node:assert/strict';
import { AuditEvent, ModelAlias } from '../../../models/index.js';
import { autoPromote } from '../../../src/registry/auto-promote.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { registerVersion } from '../../../src/registry/register-version.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';

describe('auto-promotion after a retrain (real Postgres)', () => {
  before(useTestDatabase);
  const system = { type: 'system' } as const;

  const decisionsFor = async (modelId: number) =>
    (
      await AuditEvent.findAll({
        where: { action: 'models.auto_promote', recordIds: [String(modelId)] },
        order: [['seq', 'ASC']],
      })
    ).map((event) => event.after as { promoted: boolean; reason: string; metric: string });

  it('promotes when nothing serves production yet, keeps production when the gain is below the margin, promotes when it meets it', async () => {
    const model = await createPenguinModel('auto');
    const first = await trainModel(system, { model: model.name, autoPromote: true });
    assert.equal(first.promotion?.promoted, true);
    assert.match(first.promotion.reason, /nothing served production yet/);
    assert.equal(
      (await ModelAlias.findOne({ where: { modelId: model.id, alias: 'production' } }))?.versionId,
      first.version.id,
    );

    await model.update({ autoPromoteMetric: 'macroF1', autoPromoteMargin: 0.5 });
    const second = await trainModel(system, { model: model.name, autoPromote: true });
    assert.equal(second.promotion?.promoted, false);
    assert.match(second.promotion.reason, /macroF1 .* < margin 0\.5, production kept/);
    assert.equal(
      (await ModelAlias.findOne({ where: { modelId: model.id, alias: 'production' } }))?.versionId,
      first.version.id,
    );

    // Same data, same seed: the same score, so a zero margin is met.
    await model.update({ autoPromoteMetric: 'accuracy', autoPromoteMargin: 0 });
    const third = await trainModel(system, { model: model.name, autoPromote: true });
    assert.equal(third.promotion?.promoted, true, third.promotion?.reason);
    assert.equal(
      (await ModelAlias.findOne({ where: { modelId: model.id, alias: 'production' } }))?.versionId,
      third.version.id,
    );

    const decisions = await decisionsFor(model.id);
    assert.deepEqual(
      decisions.map((d) => d.promoted),
      [true, false, true],
      'each decision is in the audit log, promoted or not',
    );
    const promotions = await AuditEvent.count({
      where: { action: 'model_aliases.promote', selection: { modelId: model.id, alias: 'production' } },
    });
    assert.equal(promotions, 2, 'each promotion is an ordinary alias change in the alias history');
  });

  it('does not promote unless asked', async () => {
    const model = await createPenguinModel('auto-off');
    const version = (await trainModel(system, { model: model.name, maxIterations: 5 })).version;
    await promoteAlias(system, { versionId: version.id, alias: 'production' });
    const result = await trainModel(system, { model: model.name, maxIterations: 5 });
    assert.equal(result.promotion, null);
    assert.deepEqual(await decisionsFor(model.id), []);
  });

  it('refuses a candidate whose fit did not converge, even with nothing in production, and audits the reason', async () => {
    const model = await createPenguinModel('auto-unconverged');
    const trained = (await trainModel(system, { model: model.name, maxEpochs: 5 })).version;
    // The same model registered twice more, as if its fit had stopped at the iteration cap, and as if it had converged.
    const copy = (converged: boolean) =>
      registerVersion(system, {
        modelId: model.id,
        onnx: trained.onnx,
        trainer: trained.trainer,
        hyperparameters: trained.hyperparameters,
        inputSchema: trained.inputSchema,
        outputSchema: trained.outputSchema,
        trainingSnapshot: trained.trainingSnapshot,
        metrics: {
          ...trained.metrics,
          training: {
            solver: 'lbfgs',
            iterations: converged ? 40 : 100,
            maxIterations: 100,
            converged,
            gradientNorm: 0.02,
          },
        },
      });
    const candidate = await copy(false);
    const decision = await autoPromote(system, model, candidate);
    assert.equal(decision.promoted, false);
    assert.match(decision.reason, /stopped at the iteration cap \(100 of 100 iterations\) before converging/);
    assert.match(decision.reason, /retrain with more iterations or stronger regularisation/);
    assert.equal(await ModelAlias.count({ where: { modelId: model.id, alias: 'production' } }), 0);
    const [audited] = await decisionsFor(model.id);
    assert.deepEqual(
      { promoted: audited?.promoted, reason: audited?.reason },
      { promoted: false, reason: decision.reason },
    );

    assert.equal(
      (await autoPromote(system, model, await copy(true))).promoted,
      true,
      'a converged fit is judged as usual',
    );
  });
});
