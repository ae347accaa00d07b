import { Dataset, MlModel } from '../../models/index.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { loadPenguins, PENGUIN_FEATURES } from '../../seeders/penguins.js';
import { unique } from './database.js';

/** A fresh copy of the penguins dataset and an untrained model on it, with names no other test uses. */
export async function createPenguinModel(prefix: string): Promise<MlModel> {
  const name = unique(`${prefix}-penguins`);
  await insertDataset(
    { type: 'system' },
    { name, task: 'tabular-classification', labels: ['Adelie', 'Chinstrap', 'Gentoo'], featureSchema: PENGUIN_FEATURES, description: null, source: null, license: null },
    loadPenguins().map((p) => ({ ...p, text: null, tags: [] })),
  );
  const dataset = (await Dataset.findOne({ where: { name } }))!;
  return MlModel.create({ name: unique(`${prefix}-species`), datasetId: dataset.id, task: 'tabular-classification', description: null, createdById: null });
}
