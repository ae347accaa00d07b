import pg from 'pg';
import { logger } from '../platform/logger.js';

/** The tables whose changes are announced (migrations 001600 and 002000: statement triggers → `pg_notify`). */
export type WatchedTable = 'model_aliases' | 'api_keys' | 'users' | 'records' | 'record_predictions' | 'model_versions';

const CHANNEL = 'modeldesk_changes';
const RETRY_MS = [250, 500, 1_000, 2_000, 5_000];
const DEAF_TRUST_MS = 1_000;

type Listener = () => void;

/**
 * Tells in-process caches that a table changed, in every process, within milliseconds of the commit:
 * one connection per process LISTENs on `modeldesk_changes`. While the connection is down nothing is
 * heard, so on reconnect every listener is called once (its cache may be stale). Until `start()` has
 * connected, callers must not cache for long: `trustMs()` says for how long they may.
 */
export class ChangeNotifications {
  private readonly listeners = new Map<WatchedTable, Set<Listener>>();
  private client: pg.Client | undefined;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  get connected(): boolean {
    return this.client !== undefined;
  }

  /**
   * How long a cache of watched tables may be trusted: `whileListening` ms while notifications flow
   * (a change drops it anyway), one second while they do not (nothing would say it changed).
   */
  trustMs(whileListening: number): number {
    return this.connected ? whileListening : DEAF_TRUST_MS;
  }

  /** Calls `listener` after each committed change to `table`; returns the unsubscribe function. */
  on(table: WatchedTable, listener: Listener): () => void {
    let set = this.listeners.get(table);
    if (!set) this.listeners.set(table, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Connects and listens; resolves once listening (or rejects if the first connection fails). */
  async start(url: string): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.connect(url);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: 'modeldesk-listen' });
    client.on('notification', (message) => this.emit(message.payload as WatchedTable));
    client.on('error', (error) => {
      logger.warn({ err: error }, 'lost the change-notification connection; reconnecting');
      this.lost(client, url);
    });
    client.on('end', () => this.lost(client, url));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnected = this.attempt > 0;
    this.client = client;
    this.attempt = 0;
    // Changes made while nobody listened were not heard: every cache starts again.
    if (reconnected) for (const table of this.listeners.keys()) this.emit(table);
  }

  private lost(client: pg.Client, url: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    for (const table of this.listeners.keys()) this.emit(table);
    this.retry(url);
  }

  private retry(url: string): void {
    if (this.stopped) return;
    const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)]!;
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.connect(url).catch((error: unknown) => {
        logger.warn({ err: error, attempt: this.attempt }, 'could not reconnect for change notifications; retrying');
        this.retry(url);
      });
    }, delay).unref();
  }

  private emit(table: WatchedTable): void {
    for (const listener of this.listeners.get(table) ?? []) {
      try {
        listener();
      } catch (error) {
        logger.error({ err: error, table }, 'a change listener failed');
      }
    }
  }
}

/** The process's one listener (started by the web server; caches subscribe at import). */
export const changeNotifications = new ChangeNotifications();
