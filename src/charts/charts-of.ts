import { sequelizeOf } from '../../models/index.js';
import { NotFound } from '../errors/domain-error.js';
import { predictionsPerDay, type DailyPredictions } from './activity-charts.js';
import type { Cached } from './chart-cache.js';
import { datasetCharts, type DatasetCharts } from './dataset-charts.js';
import { modelCharts, type ModelCharts } from './model-charts.js';

/** A dataset's charts: label distribution per split, records created and edited per day, recent changes. */
export async function chartsOfDataset(datasetId: number): Promise<DatasetCharts> {
  const charts = await datasetCharts(sequelizeOf(), datasetId);
  if (!charts) throw new NotFound('charts.dataset', 'This dataset no longer exists.');
  return charts;
}

/**
 * A model's charts (metrics per version, the production version's confusion matrix and ROC curve, the
 * score distribution of `version`, default production) and its predictions per day, batch and API.
 */
export async function chartsOfModel(
  modelId: number,
  version: number | undefined,
): Promise<{ charts: ModelCharts; predictions: Cached<DailyPredictions[]> }> {
  const [charts, predictions] = await Promise.all([
    modelCharts(sequelizeOf(), modelId, version),
    predictionsPerDay(sequelizeOf(), modelId),
  ]);
  if (!charts) throw new NotFound('charts.model', 'This model no longer exists.');
  return { charts, predictions };
}
