import { currentTransaction } from '../../src/db/connection.js';

const deletesInFlight = new WeakMap<object, Promise<unknown>>();

/**
 * Runs a delete after the earlier deletes of the same transaction. AdminJS's bulk delete deletes
 * every record at once (Promise.all); inside the audited write's transaction they would share one
 * connection concurrently (pg queues them, deprecated for pg 9). Outside a transaction: at once.
 */
export function deleteInTransactionOrder(remove: () => Promise<void>): Promise<void> {
  const transaction = currentTransaction();
  if (!transaction) return remove();
  const run = (deletesInFlight.get(transaction) ?? Promise.resolve()).then(remove);
  deletesInFlight.set(
    transaction,
    run.catch(() => undefined),
  );
  return run;
}
