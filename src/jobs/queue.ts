import { PgBoss } from 'pg-boss';
import type { Transaction } from 'sequelize';
import { JobKind } from '../../models/enums.js';
import { sequelizeOf } from '../../models/index.js';
import { logger } from '../platform/logger.js';

/**
 * The job queue: pg-boss on the same Postgres (schema `pgboss`), nothing else to install. Our `jobs`
 * table is what people see (status, progress, result); pg-boss carries delivery, retries and
 * heartbeats: a worker that dies stops heart-beating and its job is retried by another.
 */
export const QUEUE_POLICY = { retryLimit: 2, retryDelay: 5, expireInSeconds: 3_600 } as const;
/** A worker that misses its heartbeat for this long is presumed dead and its job retried (pg-boss minimum: 10). */
export const DEFAULT_HEARTBEAT_SECONDS = 30;

/** The Postgres schema pg-boss keeps its tables in (read directly by the queue-depth metric). */
export const QUEUE_SCHEMA = 'pgboss';

/** Ticks of the models' retraining schedules (see retrain-schedules.ts); no `jobs` row of their own. */
export const RETRAIN_QUEUE = 'retrain-schedule';

let boss: PgBoss | undefined;
const onStop: Array<() => void> = [];

/** Lets modules forget per-queue state (e.g. worker subscriptions) when the queue stops. */
export function whenQueueStops(callback: () => void): void {
  onStop.push(callback);
}

export async function startQueue(databaseUrl: string, heartbeatSeconds = DEFAULT_HEARTBEAT_SECONDS): Promise<PgBoss> {
  if (boss) return boss;
  const instance = new PgBoss({
    connectionString: databaseUrl,
    schema: QUEUE_SCHEMA,
    application_name: 'modeldesk-queue',
    max: 4,
    // How often pg-boss looks for jobs whose worker stopped heart-beating.
    superviseIntervalSeconds: Math.max(5, Math.floor(heartbeatSeconds / 2)),
  });
  instance.on('error', (error: unknown) => logger.error({ err: error }, 'job queue error'));
  await instance.start();
  const policy = { ...QUEUE_POLICY, heartbeatSeconds };
  for (const kind of JobKind.options) {
    await instance.createQueue(kind, policy).catch(ignoreExists);
    await instance.updateQueue(kind, policy); // keep existing queues in step with the configuration
  }
  await instance
    .createQueue(RETRAIN_QUEUE, { retryLimit: 2, retryDelay: 30, expireInSeconds: 300 })
    .catch(ignoreExists);
  boss = instance;
  return instance;
}

export function queue(): PgBoss {
  if (!boss) throw new Error('startQueue() has not been called in this process.');
  return boss;
}

export async function stopQueue(timeoutMs = 20_000): Promise<void> {
  const instance = boss;
  boss = undefined;
  onStop.forEach((callback) => callback());
  // graceful: let running handlers finish their current step (they checkpoint) before closing.
  await instance?.stop({ graceful: true, timeout: timeoutMs });
}

/** pg-boss statements inside a Sequelize transaction, so a job is queued if and only if its row commits. */
export function inTransaction(transaction: Transaction) {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const [rows] = await sequelizeOf().query(text, { bind: values ?? [], transaction, raw: true });
      return { rows: rows };
    },
  };
}

function ignoreExists(error: unknown): void {
  if (!/already exists/i.test(String((error as Error)?.message))) throw error;
}
