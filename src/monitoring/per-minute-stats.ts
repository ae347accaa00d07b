import type { Sequelize } from 'sequelize';
import { logger } from '../platform/logger.js';
import { addHistograms, emptyHistogram, observe } from './latency-histogram.js';

interface Minute {
  count: number;
  errors: number;
  latencySumMs: number;
  histogram: number[];
}

const FLUSH_MS = 10_000;

/** Where a kind of per-minute statistics is stored: the table and its second key column. */
export interface StatsTable {
  table: 'request_stats' | 'inference_stats';
  keyColumn: 'area' | 'model_version_id';
  keyType: 'text' | 'int';
}

/**
 * Counts events per minute and key (count, failures, latency histogram) in memory and adds them to a
 * Postgres table every 10 s and at stop, with an upsert that adds: every process flushes its own
 * counts and the table holds the sum. No database write per event. On a failed flush the counts are
 * kept for the next one.
 */
export class PerMinuteStats<Key extends string | number> {
  private pending = new Map<string, Minute>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly where: StatsTable,
  ) {}

  record(key: Key, failed: boolean, ms: number, at = Date.now()): void {
    const minute = Math.floor(at / 60_000) * 60_000;
    const id = `${minute}|${key}`;
    let entry = this.pending.get(id);
    if (!entry) this.pending.set(id, (entry = { count: 0, errors: 0, latencySumMs: 0, histogram: emptyHistogram() }));
    entry.count += 1;
    if (failed) entry.errors += 1;
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

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch].map(([id, m]) => {
      const [minute, key] = id.split('|') as [string, string];
      return {
        bucket: new Date(Number(minute)).toISOString(),
        key,
        count: m.count,
        errors: m.errors,
        latency_sum_ms: m.latencySumMs,
        latency_buckets: m.histogram,
      };
    });
    const { table, keyColumn, keyType } = this.where;
    try {
      await this.sequelize.query(
        `INSERT INTO ${table} (bucket, ${keyColumn}, count, errors, latency_sum_ms, latency_buckets)
         SELECT r.bucket, r.key, r.count, r.errors, r.latency_sum_ms, r.latency_buckets
           FROM jsonb_to_recordset(:rows::jsonb) AS r(bucket timestamptz, key ${keyType}, count int, errors int, latency_sum_ms float8, latency_buckets int[])
         ON CONFLICT (bucket, ${keyColumn}) DO UPDATE SET
           count = ${table}.count + EXCLUDED.count,
           errors = ${table}.errors + EXCLUDED.errors,
           latency_sum_ms = ${table}.latency_sum_ms + EXCLUDED.latency_sum_ms,
           latency_buckets = ARRAY(
             SELECT coalesce(a, 0) + coalesce(b, 0)
               FROM unnest(${table}.latency_buckets, EXCLUDED.latency_buckets) WITH ORDINALITY AS t(a, b, i) ORDER BY i)`,
        { replacements: { rows: JSON.stringify(rows) } },
      );
    } catch (error) {
      logger.warn({ err: error, table }, 'could not store statistics; keeping them for the next flush');
      for (const [id, minute] of batch) {
        const newer = this.pending.get(id);
        if (!newer) this.pending.set(id, minute);
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
