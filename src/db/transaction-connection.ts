import type pg from 'pg';
import type { Transaction } from 'sequelize';

/** The pg client under a Sequelize transaction, for COPY and bytea parameters inside it. */
export function connectionOf(transaction: Transaction): pg.Client {
  return (transaction as unknown as { connection: pg.Client }).connection;
}
