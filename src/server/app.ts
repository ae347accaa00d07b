import express, { type RequestHandler, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { Sequelize } from 'sequelize';
import type { Config } from '../platform/config.js';
import { csrfProtection } from './csrf.js';
import { errorHandler } from './error-handler.js';
import { healthRoutes } from './health.js';
import { logger } from '../platform/logger.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import { httpMetrics, observeHttpResponse } from '../monitoring/metrics.js';
import type http from 'node:http';
import type { Api } from '../api/index.js';
import type { FastPath } from '../api/predict-fast-path.js';
import type { ApiRequest, ApiResponse } from '../api/http-types.js';
import { arrivedOverHttps, clientIp } from './client-ip.js';
import type { RequestStats } from '../monitoring/request-stats.js';
import { requestContext } from './request-id.js';
import { HSTS_VALUE, securityHeaders } from './security-headers.js';
import session from 'express-session';
import compression from 'compression';

/** Probes and scrapes, polled every few seconds: not worth a log line each. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** A session-authenticated UI mounted under `path` (the AdminJS console). */
export interface ConsoleMount {
  path: string;
  router: Router;
  /** Paths (inside the mount) whose unsafe requests rely on the Origin check only: the login form. */
  csrfTokenExempt: readonly string[];
}

export interface AppDependencies {
  config: Config;
  sequelize: Sequelize;
  /** Built by `sessionOptions()`: the Postgres-backed store, cookie and timeouts. */
  session: session.SessionOptions;
  console?: ConsoleMount;
  /** Per-minute request counts for the dashboard's charts (started and flushed by the caller). */
  requestStats?: RequestStats;
  /** The REST API (`/api/...`), built by `createApi` with the same session middleware. */
  api?: (session: RequestHandler) => Pick<Api, 'router' | 'fastPath'>;
}

/**
 * The HTTP application: ops endpoints (health, metrics), the console, and the shared security and
 * error handling; with an API, its fast path in front. Listen with `http.createServer(createApp(…))`.
 */
export function createApp({
  config,
  sequelize,
  session: sessionConfig,
  console: consoleMount,
  requestStats,
  api,
}: AppDependencies): http.RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY ? 1 : false);
  const sessions = session(sessionConfig);
  const apiMount = api?.(sessions);

  app.use(requestContext);
  app.use(httpMetrics({ mounts: consoleMount ? [consoleMount.path] : [] }));
  if (requestStats) app.use(requestStats.middleware());
  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => String(res.locals.requestId),
      autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url?.split('?')[0] ?? '') },
      // The request id is also added by the logger from the request context; this line is written
      // when the response finishes, so it carries the id explicitly too.
      customSuccessObject: (_req, res, value: object) => ({
        ...value,
        requestId: (res as express.Response).locals.requestId as unknown,
      }),
      customErrorObject: (_req, res, _error, value: object) => ({
        ...value,
        requestId: (res as express.Response).locals.requestId as unknown,
      }),
      // Method and path only: no headers (cookies, Authorization), no query string (may carry tokens).
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders());
  app.use(healthRoutes(sequelize));
  app.use(metricsEndpoint(config));
  app.get('/favicon.ico', (_req, res) => res.status(204).end());

  if (apiMount) app.use(apiMount.router);
  if (consoleMount) {
    app.get('/', (_req, res) => res.redirect(consoleMount.path));
    app.use(
      consoleMount.path,
      // Record pages and exports are worth compressing; small answers are sent as they are.
      compression({ threshold: 8 * 1024 }),
      sessions,
      csrfProtection({ tokenExempt: consoleMount.csrfTokenExempt }),
      consoleMount.router,
    );
  }
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'No such route. The console is at /admin.' });
  });
  app.use(errorHandler);
  return apiMount ? withFastPath(app, apiMount.fastPath, config.TRUST_PROXY, requestStats) : app;
}

/**
 * The app, except for the API's fast path (keyed predict calls), answered on Node's own objects
 * with only the app-wide request id, metrics and request statistics.
 */
function withFastPath(
  app: express.Express,
  fast: FastPath,
  trustProxy: boolean,
  requestStats: RequestStats | undefined,
): http.RequestListener {
  return (rawReq, rawRes) => {
    const name = fast.match(rawReq);
    if (name === null) {
      app(rawReq, rawRes);
      return;
    }
    const req = rawReq as ApiRequest;
    const res = rawRes as ApiResponse;
    res.locals = {};
    req.ip = clientIp(rawReq, trustProxy);
    if (arrivedOverHttps(rawReq, trustProxy)) res.setHeader('Strict-Transport-Security', HSTS_VALUE);
    const started = performance.now();
    res.once('finish', () => {
      const ms = performance.now() - started;
      observeHttpResponse(req.method ?? 'POST', fast.route, res.statusCode, ms / 1000);
      requestStats?.record('api', res.statusCode, ms);
    });
    requestContext(req, res, () => fast.handle(req, res, name));
  };
}
