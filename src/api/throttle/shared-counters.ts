import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import { logger } from '../../platform/logger.js';

const WINDOW_MS = 60_000;
const SYNC_MS = 200;
const PRUNE_MS = 60_000;

interface Counter {
  key: string;
  windowStart: number;
  /** The count over all processes as of the last sync (including what this process flushed). */
  synced: number;
  /** Counted here since the last sync. */
  pending: number;
  /** Pending at the moment the running sync read it. */
  flushing: number;
  lastUsed: number;
}

export interface Verdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
  /** When refused: seconds until a request would be allowed again. */
  retryAfterSeconds: number;
}

/**
 * Requests per minute per limiter key (an API key, a user, a client address), shared by every web
 * process: each counts in memory (the decision costs no query) and adds its counts to
 * rate_limit_counters five times a second, reading back everyone's totals. The rate is a sliding
 * window estimate (the previous minute weighted by how much of it is still inside the last 60 s, plus
 * the current minute), so a client cannot send twice the limit around a minute boundary. Between
 * syncs, other processes' newest requests are not yet seen: N processes may together let through up
 * to N × rate × 0.2 s more than the limit. If Postgres is unreachable, each process keeps limiting
 * with what it knows.
 */
export class SharedCounters {
  private readonly counters = new Map<string, Counter>();
  private syncTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;

  constructor(private readonly sequelize: Sequelize) {}

  start(): this {
    this.syncTimer ??= setInterval(() => void this.sync(), SYNC_MS).unref();
    this.pruneTimer ??= setInterval(() => void this.prune(), PRUNE_MS).unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.syncTimer);
    clearInterval(this.pruneTimer);
    this.syncTimer = this.pruneTimer = undefined;
    await this.sync();
  }

  /** Counts one request for `key` if it is within `limit` per minute. */
  consume(key: string, limit: number, now = Date.now()): Verdict {
    const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const current = this.counter(key, windowStart, now);
    const previous = this.counters.get(`${key}|${windowStart - WINDOW_MS}`);
    const previousTotal = previous ? previous.synced + previous.pending : 0;
    const weight = 1 - (now - windowStart) / WINDOW_MS;
    const estimate = previousTotal * weight + current.synced + current.pending;
    const resetSeconds = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
    if (estimate + 1 > limit) {
      return {
        allowed: false,
        limit,
        remaining: 0,
        resetSeconds,
        retryAfterSeconds: retryAfter(now, windowStart, previousTotal, current.synced + current.pending, limit),
      };
    }
    current.pending += 1;
    return {
      allowed: true,
      limit,
      remaining: Math.max(0, Math.floor(limit - estimate - 1)),
      resetSeconds,
      retryAfterSeconds: 0,
    };
  }

  /** Adds this process's counts to the shared table and reads back the totals (also run by the timer). */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private counter(key: string, windowStart: number, now: number): Counter {
    const id = `${key}|${windowStart}`;
    let counter = this.counters.get(id);
    if (!counter)
      this.counters.set(id, (counter = { key, windowStart, synced: 0, pending: 0, flushing: 0, lastUsed: now }));
    counter.lastUsed = now;
    return counter;
  }

  private async syncOnce(): Promise<void> {
    const now = Date.now();
    const oldestKept = Math.floor(now / WINDOW_MS) * WINDOW_MS - WINDOW_MS;
    const active: Counter[] = [];
    for (const [id, counter] of this.counters) {
      if (counter.windowStart < oldestKept) this.counters.delete(id);
      // Counters used in the last two windows are read back even without news of ours: others may have some.
      else if (counter.pending > 0 || now - counter.lastUsed < 2 * WINDOW_MS) active.push(counter);
    }
    if (active.length === 0) return;
    for (const counter of active) counter.flushing = counter.pending;
    try {
      const rows = await this.sequelize.query<{ key: string; window_start: Date; count: number }>(
        `INSERT INTO rate_limit_counters (key, window_start, count)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[])
         ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + EXCLUDED.count
         RETURNING key, window_start, count`,
        {
          bind: [
            active.map((c) => c.key),
            active.map((c) => new Date(c.windowStart).toISOString()),
            active.map((c) => c.flushing),
          ],
          type: QueryTypes.SELECT,
        },
      );
      const totals = new Map(rows.map((r) => [`${r.key}|${r.window_start.getTime()}`, r.count]));
      for (const counter of active) {
        counter.pending -= counter.flushing;
        counter.synced = totals.get(`${counter.key}|${counter.windowStart}`) ?? counter.synced + counter.flushing;
        counter.flushing = 0;
      }
    } catch (error) {
      for (const counter of active) counter.flushing = 0;
      logger.warn(
        { err: error },
        "could not share rate-limit counts; limiting with this process's counts until Postgres answers",
      );
    }
  }

  private async prune(): Promise<void> {
    await this.sequelize
      .query(`DELETE FROM rate_limit_counters WHERE window_start < now() - interval '3 minutes'`)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not delete expired rate-limit counters'));
  }
}

/** Seconds until the sliding estimate leaves room for one more request. */
function retryAfter(
  now: number,
  windowStart: number,
  previousTotal: number,
  currentTotal: number,
  limit: number,
): number {
  const windowEnd = windowStart + WINDOW_MS;
  if (currentTotal + 1 > limit || previousTotal === 0) {
    // Not before this window ends; then the current count becomes the decaying "previous".
    const roomAt = currentTotal === 0 ? windowEnd : windowEnd + WINDOW_MS * Math.max(0, 1 - (limit - 1) / currentTotal);
    return Math.max(1, Math.ceil((roomAt - now) / 1000));
  }
  // previous × (1 − (t − start)/W) + current + 1 ≤ limit
  const t = windowStart + WINDOW_MS * (1 - (limit - currentTotal - 1) / previousTotal);
  return Math.max(1, Math.ceil((Math.min(t, windowEnd) - now) / 1000));
}
