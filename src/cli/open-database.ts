import type { Sequelize } from 'sequelize';
import { initModels } from '../../models/index.js';
import { connectSequelize } from '../db/connection.js';
import { grantAppRole, roleOf } from '../db/app-role.js';
import { migrate } from '../db/migrate.js';
import { startDatabase, type Database } from '../db/start-database.js';
import { loadConfig, type Config } from '../platform/config.js';
import { logger } from '../platform/logger.js';

export interface OpenDatabase {
  config: Config;
  database: Database;
  sequelize: Sequelize;
  applied: string[];
  close(): Promise<void>;
}

/**
 * Config → Postgres (embedded or DATABASE_URL) → Sequelize with models bound → migrations applied.
 * What every command that touches data starts with; `close()` undoes it in reverse order.
 */
export async function openDatabase(
  say: (message: string) => void,
  options: { poolMax?: number } = {},
): Promise<OpenDatabase> {
  const config = loadConfig();
  logger.level = config.LOG_LEVEL;
  const database = await startDatabase(config, say);
  try {
    const applied = await migrateAsOwner(database);
    const sequelize = connectSequelize({ url: database.url, poolMax: options.poolMax, logger });
    initModels(sequelize);
    return {
      config,
      database,
      sequelize,
      applied,
      close: async () => {
        await sequelize.close();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}

/** Migrations run as the schema's owner, which then grants the application's role its privileges. */
async function migrateAsOwner(database: Database): Promise<string[]> {
  const owner = connectSequelize({ url: database.ownerUrl, poolMax: 2, logger, applicationName: 'modeldesk-migrate' });
  try {
    const applied = await migrate(owner, database.ownerUrl);
    if (database.ownerUrl !== database.url) await grantAppRole(owner, roleOf(database.url));
    return applied;
  } finally {
    await owner.close();
  }
}

/** Runs `work` with an open database and always closes it (and the embedded Postgres it started). */
export async function withDatabase<T>(work: (db: OpenDatabase) => Promise<T>): Promise<T> {
  const db = await openDatabase((message) => console.log(message));
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}
