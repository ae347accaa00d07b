import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { initModels } from '../../models/index.js';
import { connectSequelize } from '../../src/db/connection.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { migrate } from '../../src/db/migrate.js';
import { freePort } from '../support/free-port.js';

/** A throw-away embedded Postgres, migrated, for one benchmark; `close()` stops and removes it. */
export async function benchDatabase(
  poolMax: number,
): Promise<{ sequelize: Sequelize; url: string; close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-bench-db-'));
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  const sequelize = connectSequelize({ url: server.url, poolMax });
  initModels(sequelize);
  await migrate(sequelize, server.url);
  return {
    sequelize,
    url: server.url,
    async close() {
      await sequelize.close();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
