import { Dataset, MlModel } from '../models/index.js';
import type { Actor } from '../src/access/actor.js';
import { trainModel } from '../src/ml/train-model.js';
import { promoteAlias } from '../src/registry/promote-alias.js';

const DEMO_MODELS = [
  {
    name: 'spam-filter',
    dataset: 'spam-assassin',
    task: 'text-classification',
    description:
      'Spam or ham, from the raw email text (TF-IDF + logistic regression). Retrained every Monday 03:00 UTC; promoted only if its macro F1 beats production.',
    retrainSchedule: '0 3 * * 1',
    autoPromoteMetric: 'macroF1',
  },
  {
    name: 'penguin-species',
    dataset: 'penguins',
    task: 'tabular-classification',
    description: 'Penguin species from body measurements, island and sex.',
    retrainSchedule: null,
    autoPromoteMetric: null,
  },
] as const;

/** A model per demo dataset with version 1 trained and serving as `production` (one retrained weekly). Skips models that exist. */
export async function seedDemoModels(actor: Actor): Promise<Array<{ name: string; accuracy: number | null }>> {
  const seeded: Array<{ name: string; accuracy: number | null }> = [];
  for (const demo of DEMO_MODELS) {
    const dataset = await Dataset.findOne({ where: { name: demo.dataset } });
    if (!dataset || (await MlModel.findOne({ where: { name: demo.name } }))) continue;
    await MlModel.create({
      name: demo.name,
      description: demo.description,
      datasetId: dataset.id,
      task: demo.task,
      retrainSchedule: demo.retrainSchedule,
      autoPromoteMetric: demo.autoPromoteMetric,
      createdById: null,
    });
    const { version, accuracy } = await trainModel(actor, { model: demo.name });
    await promoteAlias(actor, { versionId: version.id, alias: 'production' });
    seeded.push({ name: demo.name, accuracy });
  }
  return seeded;
}
