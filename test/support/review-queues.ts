import { sequelizeOf, type ModelVersion } from '../../models/index.js';
import type { Actor } from '../../src/access/actor.js';
import { createReviewQueue } from '../../src/review/create-queue.js';

/**
 * Marks every record of `datasetId` as last scored by `version` (fixed probabilities, margin and
 * entropy as scoring writes them) so a review queue can be built over it, without running a scoring job.
 */
export async function scoreAllBy(version: Pick<ModelVersion, 'id'>, datasetId: number, label: string): Promise<void> {
  await sequelizeOf().query(
    `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities, margin, entropy)
     SELECT id, :versionId, :label, 0.5, '{0.5,0.3,0.2}', 0.2, 1.0297 FROM records WHERE dataset_id = :datasetId
     ON CONFLICT (record_id) DO UPDATE SET model_version_id = EXCLUDED.model_version_id, margin = EXCLUDED.margin,
       entropy = EXCLUDED.entropy`,
    { replacements: { versionId: version.id, datasetId, label } },
  );
}

/** A review queue over `version` (its job queued: it stays "building" while no worker runs). */
export async function queuedReviewQueue(
  actor: Actor,
  datasetId: number,
  version: Pick<ModelVersion, 'id'>,
): Promise<{ queueId: number; jobId: number }> {
  const created = await createReviewQueue(actor, {
    datasetId,
    modelVersionId: version.id,
    strategy: 'least_margin',
    size: 5,
  });
  return { queueId: created.queue.id, jobId: created.jobId };
}
