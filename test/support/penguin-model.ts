import { DataRecord, Dataset, MlModel } from '../../models/index.js';
import { encodeRow } from '../../src/ml/tabular/tabular-encoder.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { loadPenguins, PENGUIN_FEATURES } from '../../seeders/penguins.js';
import { unique } from './database.js';

/** A fresh copy of the penguins dataset and an untrained model on it, with names no other test uses. */
export async function createPenguinModel(prefix: string): Promise<MlModel> {
  const name = unique(`${prefix}-penguins`);
  await insertDataset(
    { type: 'system' },
    {
      name,
      task: 'tabular-classification',
      labels: ['Adelie', 'Chinstrap', 'Gentoo'],
      featureSchema: PENGUIN_FEATURES,
      description: null,
      source: null,
      license: null,
    },
    loadPenguins().map((p) => ({ ...p, text: null, tags: [] })),
  );
  const dataset = (await Dataset.findOne({ where: { name } }))!;
  return MlModel.create({
    name: unique(`${prefix}-species`),
    datasetId: dataset.id,
    task: 'tabular-classification',
    description: null,
    createdById: null,
  });
}

/** A penguin dataset's labelled rows of one split, encoded as the models read them, in id order. */
export async function encodedPenguins(
  datasetId: number,
  split: 'train' | 'test',
): Promise<Array<{ row: Float64Array; label: string }>> {
  const dataset = (await Dataset.findByPk(datasetId))!;
  const records = await DataRecord.findAll({ where: { datasetId, split }, order: [['id', 'ASC']] });
  return records
    .filter((r) => r.label !== null)
    .map((r) => ({ row: encodeRow(r.features ?? {}, dataset.featureSchema), label: r.label! }));
}
