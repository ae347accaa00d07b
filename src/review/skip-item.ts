import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';
import { Conflict } from '../errors/domain-error.js';
import { sequelizeOf } from '../../models/index.js';
import {
  lockItem,
  openQueueFor,
  refuseOthersClaim,
  reviewerOf,
  reviewNote,
  type ReviewQueueRow,
} from './review-queue-access.js';
import { workOf, type ReviewWork } from './review-work.js';

/**
 * Skips a pending item (the reviewer cannot tell, or it is not worth a label): it leaves the queue's
 * pending work and its record is untouched. Audited as `review_queues.skip`.
 */
export async function skipItem(actor: Actor, queueId: number, position: number): Promise<ReviewWork> {
  const reviewer = reviewerOf(actor);
  let queue: ReviewQueueRow | undefined;
  await withAudit(actor, { action: 'review_queues.skip', resource: 'reviewQueues' }, async (transaction, audit) => {
    queue = await openQueueFor(actor, queueId, 'label', transaction);
    audit.note({ selection: reviewNote(queue, position) });
    const item = await lockItem(queue, position, transaction);
    audit.note({ recordIds: [item.recordId], before: { state: item.state }, after: { state: 'skipped' } });
    refuseOthersClaim(item, reviewer);
    if (item.state !== 'pending')
      throw new Conflict('review_item.not_pending', `Item ${position} is already ${item.state}: take the next item.`);
    await sequelizeOf().query(
      `UPDATE review_items SET state = 'skipped', claimed_by = NULL, claim_expires_at = NULL
        WHERE queue_id = :queueId AND position = :position`,
      { replacements: { queueId, position }, transaction },
    );
  });
  return workOf(queue!, 'label', null, reviewer);
}
