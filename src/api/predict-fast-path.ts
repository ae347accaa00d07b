import type { IncomingMessage } from 'node:http';
import { API_SECURITY_HEADERS } from '../server/security-headers.js';
import type { ApiHandler, ApiRequest, ApiResponse } from './http-types.js';
import { bodyOf } from './json-body.js';
import { apiErrorHandler } from './problem.js';
import { checkPathParams, parseQueryString, searchOf } from './validation.js';
import type { PredictEndpoint } from './v1/predict.js';

/** `POST /api/v1/models/{name}/predict` by key, answered without Express: see `predictFastPath`. */
export interface FastPath {
  /** The OpenAPI template, for metrics labels. */
  route: string;
  /** The model's name when `req` is a keyed predict call, else null (the app answers it). */
  match(req: IncomingMessage): string | null;
  /** Answers a matched request; `req.ip` and `res.locals` (with the request id) are set by the caller. */
  handle(req: ApiRequest, res: ApiResponse, name: string): void;
}

/**
 * The hot path: a keyed predict call is answered on Node's own request and response, without
 * Express (whose per-request setup alone halved the throughput measured here), the console's
 * middleware (sessions, CSP nonces, per-request logging) or ETag hashing, but through the same
 * `chain` (CORS, throttles, key check, body reader) and the same endpoint as the routed request.
 * Calls by session (no Authorization header) take the routed way, which can read the session.
 */
export function predictFastPath(chain: readonly ApiHandler[], predict: PredictEndpoint): FastPath {
  return {
    route: '/api/v1/models/:name/predict',
    match: (req) =>
      req.method === 'POST' && req.headers.authorization !== undefined ? predict.nameOf(pathOf(req.url)) : null,
    handle(req, res, name) {
      for (const header in API_SECURITY_HEADERS) res.setHeader(header, API_SECURITY_HEADERS[header]!);
      const fail = (error: unknown) => apiErrorHandler(error, req, res, () => undefined);
      runChain(
        chain,
        req,
        res,
        () => {
          let query: Record<string, string>;
          try {
            // The same query and path rules as the routed request (ApiVersion.add in route.ts).
            query = parseQueryString(searchOf(req.url));
            checkPathParams({ name });
          } catch (error) {
            return fail(error);
          }
          predict
            .answer(res, { name, query, body: () => bodyOf(req), bodyText: req.bodyText })
            .then((body) => {
              res.writeHead(200, {
                'Content-Type': 'application/json; charset=utf-8',
                'Content-Length': Buffer.byteLength(body),
              });
              res.end(body);
            })
            .catch(fail);
        },
        fail,
      );
    },
  };
}

function pathOf(url: string | undefined): string {
  const q = (url ?? '').indexOf('?');
  return q < 0 ? (url ?? '') : url!.slice(0, q);
}

/** Runs the chain in order outside a router: `done` after the last, `fail` on the first error. */
function runChain(
  chain: readonly ApiHandler[],
  req: ApiRequest,
  res: ApiResponse,
  done: () => void,
  fail: (error: unknown) => void,
): void {
  let index = 0;
  const next = (error?: unknown) => {
    if (error) return fail(error);
    const handler = chain[index++];
    try {
      if (handler) void handler(req, res, next);
      else done();
    } catch (thrown) {
      fail(thrown);
    }
  };
  next();
}
