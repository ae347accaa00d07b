import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import type { ScoredEmails } from './scored-emails.js';
import { unique } from './database.js';

/**
 * A review queue over scored records, inserted directly (the queue builder's job is not needed to
 * test the work on its items): items 1..n are `recordIds` in order, priority = position / 100.
 */
export async function insertReviewQueue(
  scored: Pick<ScoredEmails, 'datasetId' | 'versionId'>,
  recordIds: readonly number[],
  options: { secondReview?: boolean; status?: 'building' | 'open' | 'closed'; strategy?: string } = {},
): Promise<{ id: number; name: string }> {
  const name = unique('review queue');
  const [queue] = await sequelizeOf().query<{ id: number }>(
    `INSERT INTO review_queues (name, dataset_id, model_version_id, strategy, second_review, size, status)
     VALUES (:name, :datasetId, :versionId, :strategy, :secondReview, :size, :status) RETURNING id`,
    {
      replacements: {
        name,
        datasetId: scored.datasetId,
        versionId: scored.versionId,
        strategy: options.strategy ?? 'least_margin',
        secondReview: options.secondReview ?? false,
        size: recordIds.length,
        status: options.status ?? 'open',
      },
      type: QueryTypes.SELECT,
    },
  );
  await sequelizeOf().query(
    `INSERT INTO review_items (queue_id, position, record_id, priority)
     SELECT :queueId, n, id, n / 100.0 FROM unnest(ARRAY[:ids]::bigint[]) WITH ORDINALITY AS t(id, n)`,
    { replacements: { queueId: queue!.id, ids: recordIds } },
  );
  return { id: queue!.id, name };
}

/** Makes every claim on a queue's items look abandoned (expired a minute ago): no waiting in tests. */
export async function expireClaims(queueId: number): Promise<void> {
  await sequelizeOf().query(
    `UPDATE review_items SET claim_expires_at = now() - interval '1 minute' WHERE queue_id = :queueId AND claimed_by IS NOT NULL`,
    { replacements: { queueId } },
  );
}
