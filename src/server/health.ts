import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import { pendingMigrations } from '../db/migrate.js';

/**
 * `/healthz`: the process is up (for restarts). `/readyz`: this process can serve: Postgres answers
 * and the schema is current (for load balancers). Both are unauthenticated and reveal no data.
 */
export function healthRoutes(sequelize: Sequelize): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    // The pid tells which of several web processes answered (load balancers, `npm start -- --web N`).
    res.json({ status: 'ok', pid: process.pid });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await sequelize.query('SELECT 1');
    } catch {
      res.status(503).json({ status: 'unavailable', checks: { database: 'unreachable' } });
      return;
    }
    try {
      const pending = await pendingMigrations(sequelize);
      if (pending.length > 0) {
        res
          .status(503)
          .json({ status: 'unavailable', checks: { database: 'ok', migrations: `${pending.length} pending` } });
        return;
      }
    } catch {
      res.status(503).json({ status: 'unavailable', checks: { database: 'ok', migrations: 'unknown' } });
      return;
    }
    res.json({ status: 'ready', checks: { database: 'ok', migrations: 'current' } });
  });
  return router;
}
