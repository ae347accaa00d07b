import type { NextFunction, Request, Response } from 'express';
import type { Sequelize } from 'sequelize';
import { PerMinuteStats } from './per-minute-stats.js';

type Area = 'console' | 'api' | 'other';

/**
 * Requests per minute and area (console, API, other) with a latency histogram, summed over every web
 * process in request_stats: the dashboard's "requests over time" and "error rate". Health checks and
 * metrics scrapes are not counted; 5xx answers count as errors.
 */
export class RequestStats {
  private readonly stats: PerMinuteStats<Area>;

  constructor(sequelize: Sequelize) {
    this.stats = new PerMinuteStats(sequelize, { table: 'request_stats', keyColumn: 'area', keyType: 'text' });
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics') return next();
      const started = performance.now();
      res.once('finish', () => this.record(areaOf(req.path), res.statusCode, performance.now() - started));
      next();
    };
  }

  record(area: Area, status: number, ms: number, at = new Date()): void {
    this.stats.record(area, status >= 500, ms, at.getTime());
  }

  start(): this {
    this.stats.start();
    return this;
  }

  stop(): Promise<void> {
    return this.stats.stop();
  }

  flush(): Promise<void> {
    return this.stats.flush();
  }
}

function areaOf(path: string): Area {
  if (path.startsWith('/admin')) return 'console';
  if (path.startsWith('/api')) return 'api';
  return 'other';
}
