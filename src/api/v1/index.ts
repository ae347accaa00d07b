import type { Sequelize } from 'sequelize';
import type { ModelRuntime } from '../../ml/runtime/model-runtime.js';
import type { PerMinuteStats } from '../../monitoring/per-minute-stats.js';
import type { PredictSampler } from '../../monitoring/predict-sampler.js';
import type { Config } from '../../platform/config.js';
import type { ApiVersion } from '../route.js';
import { addDatasetRoutes } from './datasets.js';
import { addDriftRoutes } from './drift.js';
import { addHistoryRoutes } from './history.js';
import { addJobRoutes } from './jobs.js';
import { addModelRoutes } from './models.js';
import { addPredictRoute, type PredictEndpoint } from './predict.js';
import type { PredictPool } from './predict-pool.js';
import { addRecordRoutes } from './records.js';
import { addReviewQueueRoutes } from './review-queues.js';
import { addReviewItemRoutes } from './review-items.js';

export interface V1Dependencies {
  config: Config;
  sequelize: Sequelize;
  runtime: ModelRuntime;
  inferenceStats: PerMinuteStats<number>;
  sampler: PredictSampler;
  pool?: PredictPool;
}

/** Every route of /api/v1; answers the predict endpoint, which also has a fast path. */
export function addV1Routes(api: ApiVersion, deps: V1Dependencies): PredictEndpoint {
  const predict = addPredictRoute(api, {
    runtime: deps.runtime,
    stats: deps.inferenceStats,
    maxInstances: deps.config.API_MAX_INSTANCES,
    cacheEntries: deps.config.PREDICT_CACHE_ENTRIES,
    sampler: deps.sampler,
    ...(deps.pool ? { pool: deps.pool } : {}),
  });
  addModelRoutes(api);
  addDriftRoutes(api);
  addDatasetRoutes(api);
  addRecordRoutes(api);
  addHistoryRoutes(api);
  addJobRoutes(api);
  addReviewQueueRoutes(api);
  addReviewItemRoutes(api);
  return predict;
}
