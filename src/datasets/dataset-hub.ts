import { Op } from 'sequelize';
import { Dataset, MlModel, ModelAlias, ModelVersion, sequelizeOf } from '../../models/index.js';
import { RecordSplit } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import type { Cached } from '../charts/chart-cache.js';
import { labelSplitCounts, type LabelSplitCount } from '../charts/dataset-charts.js';
import { NotFound } from '../errors/domain-error.js';
import { recentJobs, type HubJob } from '../jobs/recent-jobs.js';

const IMPORTS_SHOWN = 5;
const MODELS_SHOWN = 20;

export interface DatasetModel {
  id: number;
  name: string;
  /** The version its `production` alias serves, with that version's test accuracy; null if none. */
  production: { versionId: number; version: number; accuracy: number | null } | null;
  versionCount: number;
}

export interface DatasetHub {
  datasetId: number;
  name: string;
  labels: string[];
  splits: string[];
  /** Live records by label (null: unlabelled) and split; null when the role may not list records. */
  counts: Cached<LabelSplitCount[]> | null;
  total: number | null;
  /** Models trained on the dataset; null when the role may not list models. */
  models: DatasetModel[] | null;
  /** Import jobs into the dataset, newest first; null when the role may list no jobs. */
  imports: HubJob[] | null;
  importsScope: 'all' | 'own';
}

/**
 * A dataset's page: its records counted by label and split (one GROUP BY, cached until the records
 * change, shared with its Charts), the models trained on it with what production serves, and its
 * recent imports. Each section is asked of the rule table for the viewer and is null (no query) when
 * the role may not see it.
 */
export async function datasetHub(actor: Actor, datasetId: number): Promise<DatasetHub> {
  const dataset = await Dataset.findByPk(datasetId, { attributes: ['id', 'name', 'labels'] });
  if (!dataset)
    throw new NotFound('dataset.not_found', `Dataset ${datasetId} no longer exists; go back to the datasets list.`);
  const mayListRecords = decide(actor, 'records', 'list') === true;
  const [counts, models, imports] = await Promise.all([
    mayListRecords ? labelSplitCounts(sequelizeOf(), dataset.id) : null,
    decide(actor, 'models', 'list') === true ? modelsOf(dataset.id) : null,
    recentJobs(actor, { datasetId: dataset.id }, IMPORTS_SHOWN, ['import']),
  ]);
  return {
    datasetId: dataset.id,
    name: dataset.name,
    labels: dataset.labels,
    splits: [...RecordSplit.options],
    counts,
    total: counts ? counts.value.reduce((sum, c) => sum + c.records, 0) : null,
    models,
    imports: imports?.jobs ?? null,
    importsScope: imports?.scope ?? 'all',
  };
}

async function modelsOf(datasetId: number): Promise<DatasetModel[]> {
  const models = await MlModel.findAll({
    where: { datasetId },
    attributes: ['id', 'name'],
    order: [['name', 'ASC']],
    limit: MODELS_SHOWN,
  });
  if (models.length === 0) return [];
  const ids = models.map((m) => m.id);
  const [production, counts] = await Promise.all([
    ModelAlias.findAll({
      where: { modelId: { [Op.in]: ids }, alias: 'production' },
      attributes: ['modelId', 'versionId'],
    }),
    ModelVersion.count({ where: { modelId: { [Op.in]: ids } }, group: ['modelId'] }),
  ]);
  const served = await ModelVersion.findAll({
    where: { id: { [Op.in]: production.map((a) => a.versionId) } },
    attributes: ['id', 'version', 'metrics'],
  });
  return models.map((m) => {
    const alias = production.find((a) => a.modelId === m.id);
    const version = alias ? served.find((v) => v.id === alias.versionId) : undefined;
    const accuracy = version?.metrics.accuracy;
    return {
      id: m.id,
      name: m.name,
      production: version
        ? { versionId: version.id, version: version.version, accuracy: typeof accuracy === 'number' ? accuracy : null }
        : null,
      versionCount: Number(counts.find((c) => Number(c.modelId) === m.id)?.count ?? 0),
    };
  });
}
