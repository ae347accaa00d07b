import type { NextFunction, Request, Response } from 'express';
import type { Sequelize } from 'sequelize';
import { logger } from '../server/logger.js';
import { addHistograms, emptyHistogram, observe } from './latency-histogram.js';

type Area = 'console' | 'api' | 'other';

interface Minute {
  count: number;
  errors: number;
  latencySumMs: number;
  histogram: number[];
}

const FLUSH_MS = 10_000;

/**
 * Counts requests per minute and area (console, API, other) with a latency histogram, in memory, and
 * adds them to request_stats every 10 s and at shutdown: the dashboard's "requests over time" and
 * "error rate" across all web processes. Health checks and metrics scrapes are not counted.
 */
export class RequestStats {
  private pending = new Map<string, Minute>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sequelize: Sequelize) {}

  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics') return next();
      const started = performance.now();
      res.once('finish', () => this.record(areaOf(req.path), res.statusCode, performance.now() - started));
      next();
    };
  }

  record(area: Area, status: number, ms: number, at = new Date()): void {
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
    const key = `${minute}|${area}`;
    let entry = this.pending.get(key);
    if (!entry) this.pending.set(key, (entry = { count: 0, errors: 0, latencySumMs: 0, histogram: emptyHistogram() }));
    entry.count += 1;
    if (status >= 500) entry.errors += 1;
    entry.latencySumMs += ms;
    observe(entry.histogram, ms);
  }

  start(): this {
    this.timer ??= setInterval(() => void this.flush(), FLUSH_MS).unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Adds what was counted since the last flush; on failure keeps it for the next try. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch].map(([key, m]) => {
      const [bucket, area] = key.split('|') as [string, Area];
      return { bucket, area, count: m.count, errors: m.errors, latencySumMs: m.latencySumMs, histogram: m.histogram };
    });
    try {
      await this.sequelize.query(
        `INSERT INTO request_stats (bucket, area, count, errors, latency_sum_ms, latency_buckets)
         SELECT r.bucket, r.area, r.count, r.errors, r.latency_sum_ms, r.latency_buckets
           FROM jsonb_to_recordset(:rows::jsonb) AS r(bucket timestamptz, area text, count int, errors int, latency_sum_ms float8, latency_buckets int[])
         ON CONFLICT (bucket, area) DO UPDATE SET
           count = request_stats.count + EXCLUDED.count,
           errors = request_stats.errors + EXCLUDED.errors,
           latency_sum_ms = request_stats.latency_sum_ms + EXCLUDED.latency_sum_ms,
           latency_buckets = ARRAY(
             SELECT coalesce(a, 0) + coalesce(b, 0)
               FROM unnest(request_stats.latency_buckets, EXCLUDED.latency_buckets) WITH ORDINALITY AS t(a, b, i) ORDER BY i)`,
        { replacements: { rows: JSON.stringify(rows.map((r) => ({ bucket: r.bucket, area: r.area, count: r.count, errors: r.errors, latency_sum_ms: r.latencySumMs, latency_buckets: r.histogram }))) } },
      );
    } catch (error) {
      logger.warn({ err: error }, 'could not store request statistics; keeping them for the next flush');
      for (const [key, minute] of batch) {
        const newer = this.pending.get(key);
        if (!newer) this.pending.set(key, minute);
        else {
          newer.count += minute.count;
          newer.errors += minute.errors;
          newer.latencySumMs += minute.latencySumMs;
          addHistograms(newer.histogram, minute.histogram);
        }
      }
    }
  }
}

function areaOf(path: string): Area {
  if (path.startsWith('/admin')) return 'console';
  if (path.startsWith('/api')) return 'api';
  return 'other';
}
