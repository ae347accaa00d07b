import type { Transaction } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';

/**
 * Transactions that are not ambient. Inside `sequelize.transaction(callback)` every query joins the
 * transaction through CLS (connection.ts), even one that does not pass it. One opened without a
 * callback holds only the queries given `transaction`: long work needs that when the transaction's
 * connection is busy streaming (a COPY) while other queries run beside it, or when those queries
 * must commit at once (a job's progress and cancel check) rather than with the transaction.
 */
export async function inExplicitTransaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
  const transaction = await sequelizeOf().transaction();
  try {
    const result = await work(transaction);
    await transaction.commit();
    return result;
  } catch (error) {
    await rollBack(transaction);
    throw error;
  }
}

/** An explicit transaction that always rolls back: for work that checks by writing (temp tables) and keeps nothing. */
export async function inRolledBackTransaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
  const transaction = await sequelizeOf().transaction();
  try {
    return await work(transaction);
  } finally {
    await rollBack(transaction);
  }
}

async function rollBack(transaction: Transaction): Promise<void> {
  // After a failed commit the transaction is already finished, and rollback refuses; the caller's
  // error is the one that matters either way.
  await transaction.rollback().catch(() => undefined);
}
