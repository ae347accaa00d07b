import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { Sequelize, type QueryInterface } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { projectRoot } from '../platform/project-root.js';

const require = createRequire(import.meta.url);
export const MIGRATIONS_DIR = path.join(projectRoot, 'migrations');
/** Held while migrating so that several processes starting at once migrate exactly once. */
const MIGRATION_LOCK_KEY = 0x6d64_6d67; // "mdmg"

interface CliMigration {
  up(queryInterface: QueryInterface, sequelize: typeof Sequelize): Promise<void>;
  down(queryInterface: QueryInterface, sequelize: typeof Sequelize): Promise<void>;
}

/**
 * Umzug over the sequelize-cli migration files in `migrations/` (CommonJS `{ up, down }`),
 * recording applied names in `SequelizeMeta` exactly as sequelize-cli does, so either tool works.
 */
export function migrator(sequelize: Sequelize): Umzug<QueryInterface> {
  return new Umzug({
    migrations: {
      glob: ['*.cjs', { cwd: MIGRATIONS_DIR }],
      resolve: ({ name, path: file, context }) => {
        const migration = require(file!) as CliMigration;
        return {
          name,
          up: () => migration.up(context, Sequelize),
          down: () => migration.down(context, Sequelize),
        };
      },
    },
    context: sequelize.getQueryInterface(),
    // The table name sequelize-cli uses (the `underscored` default would make it sequelize_meta).
    storage: new SequelizeStorage({ sequelize, tableName: 'SequelizeMeta' }),
    logger: undefined,
  });
}

/** Applies pending migrations under an advisory lock; returns the names applied. */
export async function migrate(sequelize: Sequelize, databaseUrl: string): Promise<string[]> {
  // The lock lives on a connection of its own: each migration commits in its own transaction and is
  // recorded in SequelizeMeta as it goes, so a failure part-way keeps what was already applied.
  const lock = new pg.Client({ connectionString: databaseUrl, application_name: 'modeldesk-migrate' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await migrator(sequelize).up();
    return applied.map((m) => m.name);
  } finally {
    await lock.end(); // closing the session releases the lock
  }
}

export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  return (await migrator(sequelize).pending()).map((m) => m.name);
}
