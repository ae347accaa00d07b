import pg from 'pg';
import { Sequelize, type Transaction } from 'sequelize';
import type { Logger } from 'pino';
import { AsyncLocalNamespace } from './async-local-namespace.js';

// Queries issued inside `sequelize.transaction(cb)` join that transaction even when a library (the
// AdminJS adapter) issues them without passing it: that is how console writes and their audit event
// commit together. Code in src/ still passes `transaction` explicitly.
const transactions = new AsyncLocalNamespace();
Sequelize.useCLS(transactions);

/**
 * The transaction `sequelize.transaction(cb)` opened around the current call, if any. Sequelize keeps
 * it in the CLS namespace under "transaction" (its Transactions manual reads it as
 * `namespace.get('transaction')`), and the namespace is ours: no need for Sequelize's private `_cls`.
 */
export function currentTransaction(): Transaction | undefined {
  return transactions.get('transaction') as Transaction | undefined;
}

// BIGINT ids and counts come back from node-postgres as strings; our ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface ConnectOptions {
  url: string;
  poolMax?: number;
  logger?: Logger;
  applicationName?: string;
}

/** One Sequelize instance per process; models are bound to it by `initModels`. */
export function connectSequelize({
  url,
  poolMax = 10,
  logger,
  applicationName = 'modeldesk',
}: ConnectOptions): Sequelize {
  return new Sequelize(url, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: logger ? (sql: string) => logger.trace({ sql }, 'sql') : false,
    pool: { max: poolMax, min: 0, idle: 10_000, acquire: 30_000 },
    dialectOptions: { application_name: applicationName },
    define: { underscored: true },
  });
}
