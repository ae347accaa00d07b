import { createHash } from 'node:crypto';
import { MlModel, ModelVersion } from '../../models/index.js';
import { modelVersionAuditedFields } from '../../models/model-version.js';
import type { TrainingSnapshot } from '../../models/model-version.js';
import type { Actor } from '../access/actor.js';
import { actorUserId } from '../access/predicates/actor-user-id.js';
import { withAudit } from '../audit/with-audit.js';
import { NotFound } from '../errors/domain-error.js';

export interface NewVersion {
  modelId: number;
  onnx: Uint8Array;
  trainer: string;
  hyperparameters: Record<string, unknown>;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  trainingSnapshot: TrainingSnapshot | null;
  metrics: Record<string, unknown>;
  parentVersionId?: number | null;
}

/**
 * Adds the next immutable version of a model. Version numbers are assigned under a row lock on the
 * model, so concurrent trainings get 1, 2, 3… without gaps or duplicates. Audited as model_versions.create.
 */
export async function registerVersion(actor: Actor, input: NewVersion): Promise<ModelVersion> {
  return withAudit(
    actor,
    { action: 'model_versions.create', resource: 'modelVersions' },
    async (transaction, audit) => {
      const model = await MlModel.findByPk(input.modelId, { transaction, lock: transaction.LOCK.UPDATE });
      if (!model)
        throw new NotFound('model.not_found', `Model ${input.modelId} does not exist (any more): reload the page.`);
      const last =
        (await ModelVersion.max<number | null, ModelVersion>('version', {
          where: { modelId: model.id },
          transaction,
        })) ?? 0;
      const bytes = Buffer.from(input.onnx);
      const created = await ModelVersion.create(
        {
          modelId: model.id,
          version: last + 1,
          onnx: bytes,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          sizeBytes: bytes.length,
          inputSchema: input.inputSchema,
          outputSchema: input.outputSchema,
          trainer: input.trainer,
          hyperparameters: input.hyperparameters,
          trainingSnapshot: input.trainingSnapshot,
          metrics: input.metrics,
          createdById: actorUserId(actor) ?? null,
          parentVersionId: input.parentVersionId ?? null,
        },
        { transaction },
      );
      await model.update({ updatedAt: new Date() }, { transaction });
      audit.note({
        recordIds: [created.id],
        after: {
          ...Object.fromEntries(modelVersionAuditedFields.map((f) => [f, created.get(f)])),
          model: model.name,
          accuracy: input.metrics.accuracy,
        },
      });
      return created;
    },
  );
}
