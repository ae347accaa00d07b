import { QueryTypes, type Sequelize } from 'sequelize';
import type { ClassificationMetrics } from '../ml/metrics.js';
import { chartCache, type Cached } from './chart-cache.js';

export interface VersionPoint {
  versionId: number;
  version: number;
  createdAt: string;
  trainer: string | null;
  /** Null when the version was not evaluated (no labelled test rows). */
  accuracy: number | null;
  macroF1: number | null;
  rocAuc: number | null;
  aliases: string[];
}

const SCORE_BINS = 20;

export interface ScoreDistribution {
  versionId: number;
  version: number;
  /** Records whose latest prediction is this version's, per bin of the score (probability of the predicted label), SCORE_BINS bins over [0, 1]. */
  bins: number[];
  /** The same records per predicted label, with that label's bins (largest label first). */
  byLabel: Array<{ label: string; bins: number[]; records: number }>;
  total: number;
}

export interface ModelCharts {
  modelId: number;
  name: string;
  dataset: { id: number; name: string };
  versions: Cached<VersionPoint[]>;
  /** The version the `production` alias serves, with its evaluation (confusion matrix, ROC); null without one. */
  production: { versionId: number; version: number; metrics: Partial<ClassificationMetrics> } | null;
  /** For the chosen version (default: production, else the newest). */
  scores: Cached<ScoreDistribution> | null;
}

/**
 * A model's charts: each version's accuracy, macro F1 and ROC-AUC in order of creation (is retraining
 * helping?), the production version's confusion matrix and ROC curve, and the distribution of the
 * scores and predicted labels that a version's batch scoring left on live records. Null for an unknown model.
 */
export async function modelCharts(
  sequelize: Sequelize,
  modelId: number,
  versionNumber?: number,
): Promise<ModelCharts | null> {
  const [model] = await sequelize.query<{ id: number; name: string; dataset_id: number; dataset: string }>(
    'SELECT m.id, m.name, m.dataset_id, d.name AS dataset FROM models m JOIN datasets d ON d.id = m.dataset_id WHERE m.id = :modelId',
    { replacements: { modelId }, type: QueryTypes.SELECT },
  );
  if (!model) return null;
  const versions = await chartCache.get(`model:${modelId}:versions`, ['model_versions', 'model_aliases'], () =>
    versionPoints(sequelize, modelId),
  );
  const productionPoint = versions.value.find((v) => v.aliases.includes('production'));
  const production = productionPoint
    ? {
        versionId: productionPoint.versionId,
        version: productionPoint.version,
        metrics: await metricsOf(sequelize, productionPoint.versionId),
      }
    : null;
  const chosen =
    versionNumber === undefined
      ? (productionPoint ?? versions.value.at(-1))
      : versions.value.find((v) => v.version === versionNumber);
  const scores = chosen
    ? await chartCache.get(`version:${chosen.versionId}:scores`, ['record_predictions', 'records'], () =>
        scoreDistribution(sequelize, chosen.versionId, chosen.version),
      )
    : null;
  return {
    modelId: model.id,
    name: model.name,
    dataset: { id: model.dataset_id, name: model.dataset },
    versions,
    production,
    scores,
  };
}

async function versionPoints(sequelize: Sequelize, modelId: number): Promise<VersionPoint[]> {
  const rows = await sequelize.query<{
    id: number;
    version: number;
    created_at: Date;
    trainer: string | null;
    accuracy: number | null;
    macro_f1: number | null;
    roc_auc: number | null;
    aliases: string[];
  }>(
    `SELECT v.id, v.version, v.created_at, v.trainer,
            (v.metrics ->> 'accuracy')::float8 AS accuracy, (v.metrics ->> 'macroF1')::float8 AS macro_f1, (v.metrics ->> 'rocAuc')::float8 AS roc_auc,
            COALESCE(array_agg(a.alias ORDER BY a.alias) FILTER (WHERE a.alias IS NOT NULL), '{}') AS aliases
       FROM model_versions v LEFT JOIN model_aliases a ON a.version_id = v.id
      WHERE v.model_id = :modelId
      GROUP BY v.id ORDER BY v.version`,
    { replacements: { modelId }, type: QueryTypes.SELECT },
  );
  const metric = (value: number | null) => (value === null || Number.isNaN(Number(value)) ? null : Number(value));
  return rows.map((r) => ({
    versionId: r.id,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    trainer: r.trainer,
    accuracy: metric(r.accuracy),
    macroF1: metric(r.macro_f1),
    rocAuc: metric(r.roc_auc),
    aliases: r.aliases,
  }));
}

/** A version's stored evaluation (immutable, so never stale). */
async function metricsOf(sequelize: Sequelize, versionId: number): Promise<Partial<ClassificationMetrics>> {
  const [row] = await sequelize.query<{ metrics: Partial<ClassificationMetrics> }>(
    'SELECT metrics FROM model_versions WHERE id = :versionId',
    {
      replacements: { versionId },
      type: QueryTypes.SELECT,
    },
  );
  return row?.metrics ?? {};
}

/**
 * One pass over the version's predictions, grouped by score bin and predicted label (a plain GROUP BY
 * aggregates in parallel; GROUPING SETS would not, and took twice as long at a million), leaving out
 * soft-deleted records through their small partial index (records_deleted_idx).
 */
async function scoreDistribution(sequelize: Sequelize, versionId: number, version: number): Promise<ScoreDistribution> {
  const rows = await sequelize.query<{ bin: number; label: string; records: string }>(
    `SELECT least(floor(p.score * ${SCORE_BINS}), ${SCORE_BINS - 1})::int AS bin, p.predicted_label AS label, count(*) AS records
       FROM record_predictions p
      WHERE p.model_version_id = :versionId
        AND p.record_id NOT IN (SELECT id FROM records WHERE deleted_at IS NOT NULL)
      GROUP BY 1, 2`,
    { replacements: { versionId }, type: QueryTypes.SELECT },
  );
  const bins = new Array<number>(SCORE_BINS).fill(0);
  const perLabel = new Map<string, number[]>();
  for (const row of rows) {
    const n = Number(row.records);
    bins[row.bin]! += n;
    let labelBins = perLabel.get(row.label);
    if (!labelBins) perLabel.set(row.label, (labelBins = new Array<number>(SCORE_BINS).fill(0)));
    labelBins[row.bin]! += n;
  }
  const byLabel = [...perLabel]
    .map(([label, counts]) => ({ label, bins: counts, records: counts.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.records - a.records);
  return { versionId, version, bins, byLabel, total: bins.reduce((a, b) => a + b, 0) };
}
