import type { ApiKey, Job } from '../../models/index.js';
import { DataRecord, Dataset, InferenceStat, ModelAlias, type MlModel, type ModelVersion } from '../../models/index.js';
import type { Role } from '../../models/enums.js';
import { systemActor, type Actor } from '../../src/access/actor.js';
import { createApiKey } from '../../src/auth/api-keys/create-api-key.js';
import { enqueueJob } from '../../src/jobs/enqueue-job.js';
import { trainJobParams, trainModel } from '../../src/ml/train-model.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { createTestUser } from '../support/console-server.js';
import { unique } from '../support/database.js';
import { createPenguinModel } from '../support/penguin-model.js';
import { changeRecords } from '../support/change-records.js';

export type TestUser = { id: number; email: string; role: Role };

export const userActor = (user: TestUser): Actor => ({ type: 'user', id: user.id, email: user.email, role: user.role });

/** A text dataset with a few records (one soft-deleted), for writes that need rows of their own. */
export async function textDataset(
  prefix: string,
  records = 6,
): Promise<{ dataset: Dataset; records: DataRecord[]; deleted: DataRecord }> {
  const dataset = await Dataset.create({
    name: unique(prefix),
    task: 'text-classification',
    labels: ['ham', 'spam'],
    description: null,
    source: null,
    license: null,
  });
  const rows: DataRecord[] = [];
  for (let i = 0; i < records; i += 1) {
    rows.push(
      await DataRecord.create({
        datasetId: dataset.id,
        text: `${prefix} record ${i}`,
        features: null,
        label: 'ham',
        split: 'train',
        source: 'security test',
      }),
    );
  }
  const deleted = await DataRecord.create({
    datasetId: dataset.id,
    text: `${prefix} deleted record`,
    features: null,
    label: 'ham',
    split: 'train',
    source: 'security test',
  });
  await changeRecords(() => deleted.destroy());
  return { dataset, records: rows, deleted };
}

/**
 * A penguin model with two trained versions; its production alias moved from v1 to v2 (so it has a
 * version to roll back to), trained and promoted by `owner`.
 */
export async function trainedModel(
  prefix: string,
  owner: TestUser,
): Promise<{ model: MlModel; versions: [ModelVersion, ModelVersion]; production: ModelAlias }> {
  const model = await createPenguinModel(prefix);
  await model.update({ createdById: owner.id });
  const actor = userActor(owner);
  const v1 = (await trainModel(actor, { model: model.name, maxIterations: 3 })).version;
  const v2 = (await trainModel(actor, { model: model.name, maxIterations: 3 })).version;
  await promoteAlias(actor, { versionId: v1.id, alias: 'production' });
  await promoteAlias(actor, { versionId: v2.id, alias: 'production' });
  const production = (await ModelAlias.findOne({ where: { modelId: model.id, alias: 'production' } }))!;
  return { model, versions: [v1, v2], production };
}

/** A queued train job of `owner` (no worker runs in the tests, so it stays queued). */
export async function queuedJob(owner: TestUser, model: string): Promise<Job> {
  return enqueueJob(userActor(owner), 'train', trainJobParams(model, { maxIterations: 1 }));
}

/** A key of `owner`, issued by the system: its row and the whole key. */
export async function issuedKey(
  owner: TestUser,
  scopes: Parameters<typeof createApiKey>[1]['scopes'] = ['predict'],
): Promise<{ apiKey: ApiKey; key: string }> {
  return createApiKey(systemActor, { ownerEmail: owner.email, name: unique('security key'), scopes });
}

/** One minute of inference statistics for a version (the console's read-only operations table). */
export async function inferenceStat(versionId: number): Promise<InferenceStat> {
  const minutesAgo = 1 + Math.floor(Math.random() * 10_000);
  return InferenceStat.create({
    bucket: new Date((Math.floor(Date.now() / 60_000) - minutesAgo) * 60_000),
    modelVersionId: versionId,
    count: 3,
    errors: 0,
    latencySumMs: 4.5,
    latencyBuckets: [1, 2, 0],
  });
}

export { createTestUser };
