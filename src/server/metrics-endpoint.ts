import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { registry } from '../monitoring/metrics.js';
import type { Config } from '../platform/config.js';

/**
 * `GET /metrics` in Prometheus' text format, for a scraper holding METRICS_TOKEN
 * (`Authorization: Bearer <token>`). Without a configured token the route does not exist (404, like
 * any unknown path), even for 127.0.0.1: a reverse proxy on the same host makes every visitor look
 * local. Mounted before the console, so no session is loaded or created and CSRF does not apply.
 */
export function metricsEndpoint(config: Pick<Config, 'METRICS_TOKEN'>): Router {
  const router = Router();
  if (!config.METRICS_TOKEN) return router;
  const expected = digest(config.METRICS_TOKEN);
  router.get('/metrics', async (req, res, next) => {
    const sent = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
    // Comparing digests keeps the comparison constant-time whatever the length sent.
    if (!sent || !timingSafeEqual(digest(sent), expected)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').json({
        error: 'unauthorized',
        message: 'Send the configured METRICS_TOKEN as `Authorization: Bearer <token>`.',
      });
      return;
    }
    try {
      const body = await registry.metrics();
      // Set by hand: Express would rewrite the media type's parameters, and Prometheus reads them.
      res.status(200).set({ 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).end(body);
    } catch (error) {
      next(error);
    }
  });
  return router;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
