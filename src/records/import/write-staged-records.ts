import type { Transaction } from 'sequelize';
import type { Dataset } from '../../../models/index.js';
import { connectionOf } from '../../db/transaction-connection.js';
import type { ImportPlan } from './import-mapping.js';

/** Inserts the staged new records and updates the matched ones: mapped fields only, empty cells leave a value as it was. */
export async function writeStagedRecords(transaction: Transaction, dataset: Dataset, plan: ImportPlan): Promise<void> {
  const client = connectionOf(transaction);
  await client.query(
    `INSERT INTO records (dataset_id, text, features, label, split, tags, source, created_at, updated_at)
     SELECT $1, text, features, label, coalesce(split, 'train'), coalesce(tags, '{}'), source, now(), now() FROM import_rows WHERE id IS NULL ORDER BY row_no`,
    [dataset.id],
  );
  const set = [...plan.fields].map((field) =>
    field === 'features'
      ? `features = CASE WHEN s.features IS NULL THEN r.features ELSE coalesce(r.features, '{}') || jsonb_strip_nulls(s.features) END`
      : `${field} = coalesce(s.${field}, r.${field})`,
  );
  if (plan.hasId) {
    await client.query(
      `UPDATE records r SET ${[...set, 'updated_at = now()'].join(', ')} FROM import_rows s WHERE s.id IS NOT NULL AND r.id = s.id AND r.dataset_id = $1 AND r.deleted_at IS NULL`,
      [dataset.id],
    );
  }
}
