import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import type { FeatureSpec } from '../../models/enums.js';

/** A dataset the create form offers, with what its filters and slices may name. */
export interface DatasetChoice {
  id: number;
  name: string;
  isText: boolean;
  labels: string[];
  features: FeatureSpec[];
  versions: VersionChoice[];
}

export interface VersionChoice {
  id: number;
  label: string;
  /** Records whose latest prediction is this version's (0: score the dataset with it first). */
  scored: number;
}

/**
 * The datasets (or the one given) and their models' versions, newest first, with how many records each
 * version scored last: what the "New review queue" form chooses from.
 */
export async function reviewQueueChoices(datasetId?: number): Promise<DatasetChoice[]> {
  const datasets = await sequelizeOf().query<{
    id: number;
    name: string;
    task: string;
    labels: string[];
    feature_schema: FeatureSpec[];
  }>(
    `SELECT id, name, task, labels, feature_schema FROM datasets ${datasetId ? 'WHERE id = :datasetId' : ''} ORDER BY name`,
    { replacements: { datasetId: datasetId ?? null }, type: QueryTypes.SELECT },
  );
  const versions = await sequelizeOf().query<{
    id: number;
    dataset_id: number;
    name: string;
    version: number;
    scored: string;
  }>(
    `SELECT v.id, m.dataset_id, m.name, v.version,
            (SELECT count(*) FROM record_predictions p WHERE p.model_version_id = v.id) AS scored
       FROM model_versions v JOIN models m ON m.id = v.model_id
      ${datasetId ? 'WHERE m.dataset_id = :datasetId' : ''}
      ORDER BY m.name, v.version DESC`,
    { replacements: { datasetId: datasetId ?? null }, type: QueryTypes.SELECT },
  );
  return datasets.map((d) => ({
    id: d.id,
    name: d.name,
    isText: d.task === 'text-classification',
    labels: d.labels,
    features: d.feature_schema,
    versions: versions
      .filter((v) => v.dataset_id === d.id)
      .map((v) => ({ id: v.id, label: `${v.name} v${v.version}`, scored: Number(v.scored) })),
  }));
}
