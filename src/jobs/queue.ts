import { PgBoss } from 'pg-boss';
import type { Transaction } from 'sequelize';
import { JobKind } from '../../models/enums.js';
import { sequelizeOf } from '../../models/index.js';
import type { Config } from '../platform/config.js';
import { logger } from '../platform/logger.js';

/**
 * The job queue: pg-boss on the same Postgres (schema `pgboss`), nothing else to install. Our `jobs`
 * table is what people see (status, progress, result); pg-boss carries delivery, retries and
 * heartbeats: a worker that dies stops heart-beating and its job is retried by another.
 */
export const QUEUE_POLICY = { retryLimit: 2, expireInSeconds: 3_600 } as const;
/** A worker that misses its heartbeat for this long is presumed dead and its job retried (pg-boss minimum: 10). */
export const DEFAULT_HEARTBEAT_SECONDS = 30;
/** Seconds a failed or orphaned job waits before its next attempt (JOB_RETRY_DELAY_SECONDS). */
export const DEFAULT_RETRY_DELAY_SECONDS = 5;

/** How a process's queue hands on work: see JOB_HEARTBEAT_SECONDS and JOB_RETRY_DELAY_SECONDS. */
export interface QueueTiming {
  heartbeatSeconds: number;
  retryDelaySeconds: number;
}

export function queueTiming(config: Pick<Config, 'JOB_HEARTBEAT_SECONDS' | 'JOB_RETRY_DELAY_SECONDS'>): QueueTiming {
  return { heartbeatSeconds: config.JOB_HEARTBEAT_SECONDS, retryDelaySeconds: config.JOB_RETRY_DELAY_SECONDS };
}

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

export async function startQueue(databaseUrl: string, timing: Partial<QueueTiming> = {}): Promise<PgBoss> {
  if (boss) return boss;
  const heartbeatSeconds = timing.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
  // pg-boss fails a job whose heartbeat went stale only in a monitor pass, and a queue's monitor pass
  // is due once per monitorIntervalSeconds (default 60, shared by every instance): a dead worker's job
  // then waited up to a minute beyond its heartbeat. Both intervals at a quarter of the heartbeat
  // bound the handover to 1.25 heartbeats plus the retry delay (a monitor pass is a few small queries).
  const superviseSeconds = Math.max(2, Math.floor(heartbeatSeconds / 4));
  const instance = new PgBoss({
    connectionString: databaseUrl,
    schema: QUEUE_SCHEMA,
    application_name: 'modeldesk-queue',
    max: 4,
    superviseIntervalSeconds: superviseSeconds,
    monitorIntervalSeconds: superviseSeconds,
  });
  instance.on('error', (error: unknown) => logger.error({ err: error }, 'job queue error'));
  await instance.start();
  const policy = {
    ...QUEUE_POLICY,
    heartbeatSeconds,
    retryDelay: timing.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS,
  };
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
