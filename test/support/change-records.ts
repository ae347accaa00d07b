import type { Transaction } from 'sequelize';
import { systemActor } from '../../src/access/actor.js';
import { withAudit } from '../../src/audit/with-audit.js';

/**
 * Runs a fixture's direct change to records (SQL or DataRecord.update) in an audited change-set, as
 * every write to records must be: the database refuses a change to a record's fields outside one.
 * The transaction is ambient, so queries inside join it without being given it.
 */
export async function changeRecords<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
  return withAudit(systemActor, { action: 'records.update', resource: 'records' }, async (transaction, audit) => {
    await audit.trackRecordChanges();
    return work(transaction);
  });
}
