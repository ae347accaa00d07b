import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRIC_PREFIX = 'modeldesk_';

/**
 * The one metrics registry of this process, served by `GET /metrics`. Every metric registers here
 * (never in prom-client's global default registry, which a library could fill behind our back).
 * Default process metrics (CPU, memory, event-loop lag, GC, handles) carry the same prefix.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
