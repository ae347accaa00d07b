import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import { changeNotifications, type WatchedTable } from '../db/change-notifications.js';
import { METRIC_PREFIX, registry } from '../monitoring/registry.js';

/** How long an aggregate is served from memory unless its tables change first (CHARTS_CACHE_SECONDS). */
export const DEFAULT_CHARTS_CACHE_SECONDS = 30;
const MAX_ENTRIES = 1_000;
const WATCHED: readonly WatchedTable[] = ['records', 'record_predictions', 'model_versions', 'model_aliases'];

export interface Cached<T> {
  value: T;
  /** When the aggregate was computed (ISO): the console says "as of" it. */
  computedAt: string;
  cached: boolean;
}

const lookups = new Counter<'outcome'>({
  name: `${METRIC_PREFIX}chart_cache_lookups_total`,
  help: "Chart aggregates asked for, by outcome: hit (served from this process's memory) or miss (computed in Postgres).",
  labelNames: ['outcome'],
  registers: [registry],
});

interface Entry {
  value: unknown;
  computedAt: string;
  tables: readonly WatchedTable[];
}

/**
 * The charts' SQL aggregates, kept briefly in each web process, as Django's cache framework keeps
 * costly results. An entry names the tables it was computed from; a committed write to one of them, by
 * any process (statement NOTIFY, migration 002000), drops it at once, and the TTL bounds everything else
 * (tables nobody announces: jobs, audit events, request and inference stats). While notifications are
 * not heard (start-up, a lost connection) entries live one second at most. Concurrent askers of the same
 * aggregate share one query, and a result computed across a change is used once but never stored.
 */
export class ChartCache {
  private ttlMs = DEFAULT_CHARTS_CACHE_SECONDS * 1_000;
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_ENTRIES, ttlAutopurge: false });
  private readonly inFlight = new Map<string, Promise<Cached<unknown>>>();
  private readonly generation = new Map<WatchedTable, number>();

  constructor() {
    for (const table of WATCHED) changeNotifications.on(table, () => this.changed(table));
  }

  /** Seconds an entry lives; 0 turns the cache off (every chart queries Postgres). */
  configure(seconds: number): void {
    this.ttlMs = Math.max(0, seconds) * 1_000;
    this.entries.clear();
  }

  /** `compute()`'s value for `key`, from memory when fresh; `tables` are the watched tables it reads. */
  async get<T>(key: string, tables: readonly WatchedTable[], compute: () => Promise<T>): Promise<Cached<T>> {
    const ttl = changeNotifications.trustMs(this.ttlMs);
    const hit = this.ttlMs > 0 ? this.entries.get(key) : undefined;
    if (hit && Date.now() - Date.parse(hit.computedAt) < ttl) {
      lookups.inc({ outcome: 'hit' });
      return { value: hit.value as T, computedAt: hit.computedAt, cached: true };
    }
    lookups.inc({ outcome: 'miss' });
    const started = tables.map((table) => this.generation.get(table) ?? 0);
    // Askers share a query only if no change came between their asks.
    const flightKey = `${key}|${started.join(',')}`;
    const running = this.inFlight.get(flightKey);
    if (running) return running as Promise<Cached<T>>;
    const promise = (async (): Promise<Cached<T>> => {
      try {
        const value = await compute();
        const computedAt = new Date().toISOString();
        const unchanged = tables.every((table, i) => (this.generation.get(table) ?? 0) === started[i]);
        if (this.ttlMs > 0 && unchanged) this.entries.set(key, { value, computedAt, tables });
        return { value, computedAt, cached: false };
      } finally {
        this.inFlight.delete(flightKey);
      }
    })();
    this.inFlight.set(flightKey, promise);
    return promise;
  }

  /** Forgets everything (tests, and a reconnect of the listener is handled by `changed`). */
  clear(): void {
    this.entries.clear();
  }

  private changed(table: WatchedTable): void {
    this.generation.set(table, (this.generation.get(table) ?? 0) + 1);
    for (const [key, entry] of this.entries.entries()) if (entry.tables.includes(table)) this.entries.delete(key);
  }
}

/** The process's one chart cache (configured by the web server from CHARTS_CACHE_SECONDS). */
export const chartCache = new ChartCache();
