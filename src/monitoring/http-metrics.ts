import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { METRIC_PREFIX, registry } from './registry.js';

type HttpLabel = 'method' | 'route' | 'status';

const requests = new Counter<HttpLabel>({
  name: `${METRIC_PREFIX}http_requests_total`,
  help: 'HTTP responses sent, by method, route template (never the raw URL) and status code.',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});

const duration = new Histogram<HttpLabel>({
  name: `${METRIC_PREFIX}http_request_duration_seconds`,
  help: 'Time from receiving an HTTP request to finishing its response, by method, route template and status.',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Label of requests that matched no route (404s, and requests answered by middleware before routing). */
export const UNMATCHED_ROUTE = 'other';

/**
 * Counts and times every response. `mounts` are the static paths routers are mounted at (e.g. the
 * console's `/admin`); a route's label is its mount plus its template, so ids, emails and other
 * values in URLs never become label values (each would be a new time series, forever).
 * Responses the client abandoned before they finished are not counted.
 */
export function httpMetrics(options: { mounts: readonly string[] }) {
  const mounts = [...options.mounts].sort((a, b) => b.length - a.length);
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.once('finish', () =>
      observeHttpResponse(req.method, routeLabel(req, mounts), res.statusCode, (performance.now() - started) / 1_000),
    );
    next();
  };
}

/** Counts and times one response under a route template (also used by routes answered outside Express's routing). */
export function observeHttpResponse(method: string, route: string, status: number, seconds: number): void {
  const labels = { method: METHODS.has(method) ? method : 'other', route, status: String(status) };
  requests.inc(labels);
  duration.observe(labels, seconds);
}

/**
 * `/admin/api/resources/records/records/42/show` → `/admin/api/resources/:resourceId/records/:recordId/:action`.
 *
 * Express leaves `req.route` (the matched route, whose `path` is its template) on the request, but
 * `req.baseUrl` is reset once a router hands an error back to the app, so the mount is found again
 * here: the known mount whose segments plus the template's segments make up the request path. Only
 * string templates of literal and `:param` segments are trusted; anything else is `other`.
 */
export function routeLabel(
  req: Pick<Request, 'originalUrl'> & { route?: { path?: unknown } },
  mounts: readonly string[],
): string {
  const template = req.route?.path;
  if (typeof template !== 'string' || !/^[\w\-./:]*$/.test(template)) return UNMATCHED_ROUTE;
  const path = segments(req.originalUrl.split('?')[0] ?? '');
  const routeSegments = segments(template);
  for (const mount of [...mounts, '']) {
    const mountSegments = segments(mount);
    if (mountSegments.length + routeSegments.length !== path.length) continue;
    const expected = [...mountSegments, ...routeSegments];
    if (expected.every((segment, i) => segment.startsWith(':') || segment.toLowerCase() === path[i]!.toLowerCase())) {
      return `/${expected.join('/')}`;
    }
  }
  return UNMATCHED_ROUTE;
}

function segments(path: string): string[] {
  return path.split('/').filter(Boolean);
}
