import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';

export interface ItemRow {
  recordId: number;
  state?: 'pending' | 'labelled' | 'skipped';
  /** Required for `labelled` (the schema's check): the label the reviewer gave. */
  label?: string;
  labelledAt?: Date;
}

/**
 * A review queue of a dataset and version with its items, inserted directly (the queue builder and the
 * labeling page are other modules: these tests need only the rows they leave behind).
 */
export async function insertReviewQueue(
  datasetId: number,
  modelVersionId: number,
  items: readonly ItemRow[],
): Promise<number> {
  const db = sequelizeOf();
  const [queue] = await db.query<{ id: number }>(
    `INSERT INTO review_queues (name, dataset_id, model_version_id, strategy, size, status)
     VALUES ('reviewed-labels test', :datasetId, :modelVersionId, 'least_margin', :size, 'open') RETURNING id`,
    { replacements: { datasetId, modelVersionId, size: items.length }, type: QueryTypes.SELECT },
  );
  for (const [i, item] of items.entries()) {
    const state = item.state ?? 'labelled';
    await db.query(
      `INSERT INTO review_items (queue_id, position, record_id, state, label, labelled_at)
       VALUES (:queueId, :position, :recordId, :state, :label, :labelledAt)`,
      {
        replacements: {
          queueId: queue!.id,
          position: i + 1,
          recordId: item.recordId,
          state,
          label: state === 'labelled' ? (item.label ?? 'reviewed') : null,
          labelledAt: state === 'labelled' ? (item.labelledAt ?? new Date()) : null,
        },
      },
    );
  }
  return queue!.id;
}
