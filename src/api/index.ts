import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import compression from 'compression';
import express, { type RequestHandler, type Router } from 'express';
import type { Sequelize } from 'sequelize';
import { KeyAuthenticator } from '../auth/api-keys/authenticate-key.js';
import { ModelRuntime } from '../ml/runtime/model-runtime.js';
import { PerMinuteStats } from '../monitoring/per-minute-stats.js';
import { PredictSampler } from '../monitoring/predict-sampler.js';
import type { Config } from '../platform/config.js';
import { jsonBody } from './json-body.js';
import { authenticate } from './authenticate.js';
import { shedLoad } from './shed-load.js';
import type { ApiHandler } from './http-types.js';
import { apiCors } from './cors.js';
import { docsRouter } from './docs.js';
import { apiErrorHandler, sendProblem } from './problem.js';
import { ApiVersion } from './route.js';
import { predictFastPath, type FastPath } from './predict-fast-path.js';
import { SharedCounters } from './throttle/shared-counters.js';
import { throttleByAddress, throttleByCaller } from './throttle/throttle.js';
import { addV1Routes } from './v1/index.js';
import { PredictPool } from './v1/predict-pool.js';

export interface ApiDependencies {
  config: Config;
  sequelize: Sequelize;
  /** The console's session middleware and cookie: same-origin calls may use the console session. */
  session: RequestHandler;
  sessionCookieName: string;
}

export interface Api {
  router: Router;
  /** Keyed predict calls, for the HTTP server to answer before the app (see createApp). */
  fastPath: FastPath;
  /** Every route of every version (for the docs test). */
  versions: readonly ApiVersion[];
  /** Writes the inference statistics and shares the throttle counts now (they also go every 10 s / 0.2 s). */
  flush(): Promise<void>;
  /** Flushes statistics and counters, closes model sessions. */
  close(): Promise<void>;
}

/**
 * The REST API: `/api/v1/...` (a `v2` would be another ApiVersion mounted beside it, sharing the
 * authentication, throttling and error shape), `/api/openapi.json` and the `/api/docs` explorer.
 */
export function createApi({ config, sequelize, session, sessionCookieName }: ApiDependencies): Api {
  const counters = new SharedCounters(sequelize).start();
  const inferenceStats = new PerMinuteStats<number>(sequelize, {
    table: 'inference_stats',
    keyColumn: 'model_version_id',
    keyType: 'int',
  }).start();
  const sampler = new PredictSampler(sequelize, {
    rate: config.PREDICT_SAMPLE_RATE,
    retentionDays: config.PREDICT_SAMPLE_RETENTION_DAYS,
  }).start();
  const runtime = new ModelRuntime({ tabularBatchRows: 4_096, textBatchRows: 64 });
  const keys = new KeyAuthenticator(sequelize);
  const pool = config.INFERENCE_THREADS > 0 ? new PredictPool(config.INFERENCE_THREADS) : undefined;

  const v1 = new ApiVersion('v1');
  const predict = addV1Routes(v1, { config, sequelize, runtime, inferenceStats, sampler, ...(pool ? { pool } : {}) });

  // Every /api/v1 request goes through these, in this order, whichever way it is routed.
  const chain: ApiHandler[] = [
    (_req, res, next) => {
      res.setHeader('API-Version', 'v1');
      next();
    },
    apiCors(config.CORS_ORIGINS),
    shedLoad(config.API_MAX_IN_FLIGHT),
    throttleByAddress(counters, config.API_IP_RATE_LIMIT),
    authenticate({ keys, session, sessionCookieName, sessionMaxAgeMs: config.SESSION_ABSOLUTE_HOURS * 3_600_000 }),
    throttleByCaller(counters, config.API_KEY_RATE_LIMIT),
    jsonBody(config.API_MAX_BODY_KB * 1024),
  ];

  const router = express.Router();
  let document: unknown;
  router.get('/api/openapi.json', (_req, res) => {
    document ??= openApiDocument([v1]);
    res.json(document);
  });
  router.use(docsRouter());
  router.use(
    '/api/v1',
    ...chain,
    // Lists and big batches are worth compressing; small predict answers are not.
    compression({ threshold: 8 * 1024 }),
    v1.router,
  );
  router.use('/api', (req, res) =>
    sendProblem(
      req,
      res,
      404,
      'route.not_found',
      `There is no ${req.method} ${req.originalUrl.split('?')[0]}: the routes are listed at /api/docs.`,
    ),
  );
  router.use('/api', apiErrorHandler);

  return {
    router,
    fastPath: predictFastPath(chain, predict),
    versions: [v1],
    flush: async () => {
      await Promise.all([inferenceStats.flush(), counters.sync(), sampler.flush()]);
    },
    close: async () => {
      keys.close();
      await Promise.all([counters.stop(), inferenceStats.stop(), sampler.stop(), runtime.close(), pool?.close()]);
    },
  };
}

/**
 * The API for `createApp({ api })`, which builds it once with the session middleware it makes;
 * `current()` is that API afterwards (to close it at shutdown).
 */
export function lazyApi(deps: Omit<ApiDependencies, 'session'>): {
  build: (session: RequestHandler) => Api;
  current: () => Api | undefined;
} {
  let api: Api | undefined;
  return { build: (session) => (api = createApi({ ...deps, session })), current: () => api };
}

function openApiDocument(versions: readonly ApiVersion[]): unknown {
  const generator = new OpenApiGeneratorV31(versions.flatMap((v) => v.registry.definitions));
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'ModelDesk API',
      version: versions.map((v) => v.name).join(', '),
      description:
        'Predictions from registered model versions, and the datasets, records, models and jobs of the console. Authenticate with `Authorization: Bearer <API key>` (issued by an administrator); errors are RFC 9457 problem details; every response carries `API-Version` and `RateLimit-*` headers.',
    },
    servers: [{ url: '/' }],
  });
}
