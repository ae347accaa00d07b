import type { Config } from '../platform/config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface Database {
  /** What the application connects as. */
  url: string;
  /** The schema's owner: runs migrations and the job queue; the same as `url` when no separate owner is configured. */
  ownerUrl: string;
  /** True when ModelDesk started (and so must stop) the Postgres server itself. */
  embedded: boolean;
  stop: () => Promise<void>;
}

/**
 * `DATABASE_URL` (and `DATABASE_OWNER_URL` when the schema has a separate owner) when set, otherwise
 * the embedded cluster under `DATA_DIR`, where the app always runs as a role that owns nothing.
 */
export async function startDatabase(config: Config, say: (message: string) => void): Promise<Database> {
  if (config.DATABASE_URL) {
    return {
      url: config.DATABASE_URL,
      ownerUrl: config.DATABASE_OWNER_URL ?? config.DATABASE_URL,
      embedded: false,
      stop: async () => undefined,
    };
  }
  const server = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, say });
  return { url: server.appUrl, ownerUrl: server.url, embedded: true, stop: server.stop };
}
