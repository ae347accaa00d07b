import type { Sequelize } from 'sequelize';
import { initModels, sequelizeOf } from '../../models/index.js';
import { connectSequelize } from '../../src/db/connection.js';
import { migrate } from '../../src/db/migrate.js';
import { stopQueue } from '../../src/jobs/queue.js';
import { testDatabaseUrl, whenTestsEnd } from '../setup/hooks.js';

let ready: Promise<Sequelize> | undefined;

/**
 * The process's Sequelize bound to the test database, migrated. Models bind once per process, so
 * every test file shares it: tests create their own rows (unique names) rather than truncating.
 */
export function useTestDatabase(): Promise<Sequelize> {
  ready ??= (async () => {
    const sequelize = connectSequelize({ url: testDatabaseUrl() });
    initModels(sequelize);
    await migrate(sequelize, testDatabaseUrl());
    return sequelizeOf();
  })();
  return ready;
}

let counter = 0;
/** A name no other test uses in this run. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Closes the job queue and the shared Sequelize pool (before the root hook stops Postgres under it). */
export async function closeTestDatabase(): Promise<void> {
  await stopQueue();
  if (!ready) return;
  const sequelize = await ready;
  ready = undefined;
  await sequelize.close();
}
whenTestsEnd(closeTestDatabase);
