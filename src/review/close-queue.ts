import { ReviewQueue, sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { recordFailure, withAudit } from '../audit/with-audit.js';
import { Conflict, Forbidden, NotFound } from '../errors/domain-error.js';

/**
 * Closes a queue: no more claims or labels; what was labelled stays (labels are edits of the records).
 * Live claims are released. A queue still building stays closed (its job leaves it alone). Audited.
 */
export async function closeReviewQueue(actor: Actor, queueId: number): Promise<ReviewQueue> {
  if (decide(actor, 'reviewQueues', 'close') !== true) {
    const error = new Forbidden('review_queue.forbidden', refusalMessage(actor, 'reviewQueues', 'close'));
    await recordFailure(
      actor,
      { action: 'review_queues.close', resource: 'reviewQueues', recordIds: [queueId] },
      error,
    );
    throw error;
  }
  return withAudit(actor, { action: 'review_queues.close', resource: 'reviewQueues' }, async (transaction, audit) => {
    const queue = await ReviewQueue.findByPk(queueId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!queue) throw new NotFound('review_queue.not_found', `There is no review queue ${queueId}.`);
    if (queue.status === 'closed')
      throw new Conflict('review_queue.closed', `Review queue "${queue.name}" is already closed.`);
    const before = queue.status;
    await queue.update({ status: 'closed' }, { transaction });
    await sequelizeOf().query(
      `UPDATE review_items SET claimed_by = NULL, claim_expires_at = NULL WHERE queue_id = :queueId AND claimed_by IS NOT NULL`,
      { replacements: { queueId }, transaction },
    );
    audit.note({ recordIds: [queueId], before: { status: before }, after: { status: 'closed' } });
    return queue;
  });
}
