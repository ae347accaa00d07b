import type { Transaction } from 'sequelize';
import type { Dataset } from '../../../models/index.js';
import { connectionOf } from '../../db/transaction-connection.js';
import type { ImportPlan, WrittenField } from './import-mapping.js';

/** The value a field of record `r` takes from its staged row `s`: an empty cell (null) leaves it as it is. */
function stagedValue(field: WrittenField): string {
  return field === 'features'
    ? `CASE WHEN s.features IS NULL THEN r.features ELSE coalesce(r.features, '{}') || jsonb_strip_nulls(s.features) END`
    : `coalesce(s.${field}, r.${field})`;
}

/**
 * True when the staged row `s` would change record `r`. Rows that change nothing are neither counted
 * as updates nor written, so importing a file exported from the same records is no change at all.
 */
export function changesRecordSql(plan: ImportPlan): string {
  return `(${[...plan.fields].map((field) => `r.${field} IS DISTINCT FROM ${stagedValue(field)}`).join(' OR ')})`;
}

/** Inserts the staged new records and updates the matched ones that change: mapped fields only, empty cells leave a value as it was. */
export async function writeStagedRecords(transaction: Transaction, dataset: Dataset, plan: ImportPlan): Promise<void> {
  const client = connectionOf(transaction);
  await client.query(
    `INSERT INTO records (dataset_id, text, features, label, split, tags, source, created_at, updated_at)
     SELECT $1, text, features, label, coalesce(split, 'train'), coalesce(tags, '{}'), source, now(), now() FROM import_rows WHERE id IS NULL ORDER BY row_no`,
    [dataset.id],
  );
  const set = [...plan.fields].map((field) => `${field} = ${stagedValue(field)}`);
  if (plan.hasId) {
    await client.query(
      `UPDATE records r SET ${[...set, 'updated_at = now()'].join(', ')} FROM import_rows s
        WHERE s.id IS NOT NULL AND r.id = s.id AND r.dataset_id = $1 AND r.deleted_at IS NULL AND ${changesRecordSql(plan)}`,
      [dataset.id],
    );
  }
}
