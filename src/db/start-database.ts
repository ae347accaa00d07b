import type { Config } from '../server/config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface Database {
  url: string;
  /** True when ModelDesk started (and so must stop) the Postgres server itself. */
  embedded: boolean;
  stop(): Promise<void>;
}

/** `DATABASE_URL` when set, otherwise the embedded cluster under `DATA_DIR`. */
export async function startDatabase(config: Config, say: (message: string) => void): Promise<Database> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
  const server = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, say });
  return { url: server.url, embedded: true, stop: server.stop };
}
