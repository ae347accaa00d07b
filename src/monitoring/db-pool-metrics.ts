import { Gauge } from 'prom-client';
import type { Sequelize } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import { METRIC_PREFIX, registry } from './registry.js';

/** What sequelize-pool reports (Sequelize's typings do not expose the pool). */
interface PoolStats {
  size: number;
  available: number;
  using: number;
  waiting: number;
  maxSize: number;
}

const poolConnections = new Gauge<'state'>({
  name: `${METRIC_PREFIX}db_pool_connections`,
  help: "This process's Sequelize connection pool: total (open connections), idle, in_use, and waiting (queries waiting for a connection).",
  labelNames: ['state'],
  registers: [registry],
  collect() {
    poolConnections.reset();
    const pools = poolsOf();
    if (pools.length === 0) return;
    const sum = (pick: (pool: PoolStats) => number) => pools.reduce((total, pool) => total + pick(pool), 0);
    const states: Array<[string, (pool: PoolStats) => number]> = [
      ['total', (p) => p.size],
      ['idle', (p) => p.available],
      ['in_use', (p) => p.using],
      ['waiting', (p) => p.waiting],
    ];
    for (const [state, pick] of states) poolConnections.set({ state }, sum(pick));
  },
});

const poolMax = new Gauge({
  name: `${METRIC_PREFIX}db_pool_max_connections`,
  help: "The most connections this process's Sequelize pool opens.",
  registers: [registry],
  collect() {
    poolMax.reset();
    const pools = poolsOf();
    if (pools.length > 0) poolMax.set(pools.reduce((total, pool) => total + pool.maxSize, 0));
  },
});

/** The pool, or with read replication its read and write pools; none before models are bound. */
function poolsOf(): PoolStats[] {
  let sequelize: Sequelize;
  try {
    sequelize = sequelizeOf();
  } catch {
    return [];
  }
  const pool: unknown = (sequelize.connectionManager as unknown as { pool?: unknown }).pool;
  if (isPoolStats(pool)) return [pool];
  if (pool && typeof pool === 'object') return Object.values(pool).filter(isPoolStats);
  return [];
}

function isPoolStats(value: unknown): value is PoolStats {
  if (!value || typeof value !== 'object') return false;
  const stats = value as Record<string, unknown>;
  return ['size', 'available', 'using', 'waiting', 'maxSize'].every((key) => typeof stats[key] === 'number');
}
