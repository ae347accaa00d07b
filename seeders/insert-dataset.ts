import type { CreationAttributes } from 'sequelize';
import { DataRecord, Dataset } from '../models/index.js';
import type { Actor } from '../src/access/actor.js';
import { withAudit } from '../src/audit/with-audit.js';

const CHUNK = 1_000;

/**
 * Creates a dataset with its records in one transaction with one audit event: either the whole
 * dataset is there or none of it. Skips (returns null) when a dataset of that name already exists.
 */
export async function insertDataset(
  actor: Actor,
  dataset: CreationAttributes<Dataset>,
  records: ReadonlyArray<Omit<CreationAttributes<DataRecord>, 'datasetId'>>,
): Promise<{ id: number; records: number } | null> {
  if (await Dataset.findOne({ where: { name: dataset.name } })) return null;
  return withAudit(actor, { action: 'datasets.seed', resource: 'datasets' }, async (transaction, audit) => {
    const created = await Dataset.create(dataset, { transaction });
    for (let start = 0; start < records.length; start += CHUNK) {
      await DataRecord.bulkCreate(
        records.slice(start, start + CHUNK).map((record) => ({ ...record, datasetId: created.id })),
        { transaction, validate: false, returning: false },
      );
    }
    audit.note({
      recordIds: [created.id],
      after: {
        name: created.name,
        task: created.task,
        labels: created.labels,
        records: records.length,
        source: created.source,
      },
    });
    return { id: created.id, records: records.length };
  });
}
