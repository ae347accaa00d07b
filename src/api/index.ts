import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import compression from 'compression';
import express, { type RequestHandler, type Router } from 'express';
import type { Sequelize } from 'sequelize';
import { KeyAuthenticator } from '../api-keys/authenticate-key.js';
import { ModelRuntime } from '../ml/runtime/model-runtime.js';
import { PerMinuteStats } from '../monitoring/per-minute-stats.js';
import type { Config } from '../server/config.js';
import { authenticate } from './authenticate.js';
import { apiCors } from './cors.js';
import { docsRouter } from './docs.js';
import { apiErrorHandler, sendProblem } from './problem.js';
import { ApiVersion } from './route.js';
import { SharedCounters } from './throttle/shared-counters.js';
import { throttleByAddress, throttleByCaller } from './throttle/throttle.js';
import { addV1Routes } from './v1/index.js';

export interface ApiDependencies {
  config: Config;
  sequelize: Sequelize;
  /** The console's session middleware and cookie: same-origin calls may use the console session. */
  session: RequestHandler;
  sessionCookieName: string;
}

export interface Api {
  router: Router;
  /** Every route of every version (for the docs test). */
  versions: readonly ApiVersion[];
  /** Flushes statistics and counters, closes model sessions. */
  close(): Promise<void>;
}

/**
 * The REST API: `/api/v1/...` (a `v2` would be another ApiVersion mounted beside it, sharing the
 * authentication, throttling and error shape), `/api/openapi.json` and the `/api/docs` explorer.
 */
export function createApi({ config, sequelize, session, sessionCookieName }: ApiDependencies): Api {
  const counters = new SharedCounters(sequelize).start();
  const inferenceStats = new PerMinuteStats<number>(sequelize, { table: 'inference_stats', keyColumn: 'model_version_id', keyType: 'int' }).start();
  const runtime = new ModelRuntime({ tabularBatchRows: 4_096, textBatchRows: 64 });
  const keys = new KeyAuthenticator(sequelize);

  const v1 = new ApiVersion('v1');
  addV1Routes(v1, { config, sequelize, runtime, inferenceStats });

  const router = express.Router();
  let document: unknown;
  router.get('/api/openapi.json', (_req, res) => {
    document ??= openApiDocument([v1]);
    res.json(document);
  });
  router.use(docsRouter());
  router.use(
    '/api/v1',
    (_req, res, next) => {
      res.setHeader('API-Version', 'v1');
      next();
    },
    apiCors(config.CORS_ORIGINS),
    throttleByAddress(counters, config.API_IP_RATE_LIMIT),
    authenticate({ keys, session, sessionCookieName, sessionMaxAgeMs: config.SESSION_ABSOLUTE_HOURS * 3_600_000 }),
    throttleByCaller(counters, config.API_KEY_RATE_LIMIT),
    express.json({ limit: config.API_MAX_BODY_KB * 1024, strict: true }),
    // Lists and big batches are worth compressing; small predict answers are not.
    compression({ threshold: 8 * 1024 }),
    v1.router,
  );
  router.use('/api', (req, res) => sendProblem(req, res, 404, 'route.not_found', `There is no ${req.method} ${req.originalUrl.split('?')[0]}: the routes are listed at /api/docs.`));
  router.use('/api', apiErrorHandler);

  return {
    router,
    versions: [v1],
    close: async () => {
      keys.close();
      await Promise.all([counters.stop(), inferenceStats.stop(), runtime.close()]);
    },
  };
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
