import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import { connectionOf } from '../../db/transaction-connection.js';
import { changeSetDigest } from './change-set-digest.js';
import type { OpenChangeSet } from './open-change-set.js';

/** What a change-set recorded, as the audit event carries it (and its hash covers). */
export interface ChangeSetSummary {
  id: number;
  records: number;
  fields: string[];
  digest: string;
}

/**
 * Counts what was recorded, the union of the changed fields and the digest, fills the change_sets
 * row (a closed change-set takes no more rows: the triggers refuse) and ends recording for the
 * transaction. Call it after the last write and before the audit event, which carries the summary.
 */
export async function closeChangeSet(transaction: Transaction, changeSet: OpenChangeSet): Promise<ChangeSetSummary> {
  const sequelize = sequelizeOf();
  const [counted] = await sequelize.query<{ records: number; fields: string[] | null }>(
    `SELECT (SELECT count(*)::int FROM record_changes WHERE change_set_id = :id) AS records,
            (SELECT array_agg(DISTINCT key ORDER BY key)
               FROM record_changes, jsonb_object_keys(after) AS key WHERE change_set_id = :id) AS fields`,
    { replacements: { id: changeSet.id }, type: QueryTypes.SELECT, transaction },
  );
  const { digest } = await changeSetDigest(connectionOf(transaction), changeSet.id);
  const summary: ChangeSetSummary = {
    id: changeSet.id,
    records: Number(counted?.records ?? 0),
    fields: counted?.fields ?? [],
    digest,
  };
  await sequelize.query(
    `UPDATE change_sets SET record_count = :records, fields = CAST(:fields AS text[]), digest = :digest
      WHERE id = :id RETURNING set_config('modeldesk.change_set', '', true)`,
    {
      replacements: {
        id: summary.id,
        records: summary.records,
        fields: `{${summary.fields.map((f) => `"${f}"`).join(',')}}`,
        digest,
      },
      transaction,
    },
  );
  return summary;
}
