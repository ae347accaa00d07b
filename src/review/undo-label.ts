import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';
import { Conflict, Forbidden } from '../errors/domain-error.js';
import { loadConfig } from '../platform/config.js';
import { editRecord } from '../records/save-record.js';
import { lockItem, openQueueFor, reviewerOf, reviewNote, type ReviewQueueRow } from './review-queue-access.js';
import { workOf, type ReviewWork } from './review-work.js';

/**
 * Undoes one's own label of a queue item: the record's label goes back to what it was (an audited
 * `records.update`, `selection.review.undoes` naming the change-set undone) and the item is pending
 * again, held by the reviewer, who gets it back as their current item (any other item they held in
 * the queue is let go). Refused once a second reviewer has judged the label, or when the record's
 * label has changed since (the record's history can still revert it).
 */
export async function undoLabel(
  actor: Actor,
  queueId: number,
  position: number,
  options: { claimMinutes?: number } = {},
): Promise<ReviewWork> {
  const reviewer = reviewerOf(actor);
  const minutes = options.claimMinutes ?? loadConfig().REVIEW_CLAIM_MINUTES;
  let queue: ReviewQueueRow | undefined;
  await withAudit(actor, { action: 'records.update', resource: 'records' }, async (transaction, audit) => {
    queue = await openQueueFor(actor, queueId, 'label', transaction);
    const item = await lockItem(queue, position, transaction);
    audit.note({
      recordIds: [item.recordId],
      selection: reviewNote(queue, position, { undoes: item.changeSetId }),
    });
    if (item.state !== 'labelled')
      throw new Conflict('review_item.not_labelled', `Item ${position} has no label to undo (it is ${item.state}).`);
    if (item.labelledBy !== reviewer)
      throw new Forbidden(
        'review_item.not_your_label',
        `Item ${position} was labelled by another reviewer: you can undo only your own labels (the record's history can revert any change).`,
      );
    if (item.reviewVerdict !== null)
      throw new Conflict(
        'review_item.already_reviewed',
        `Item ${position}'s label was already ${item.reviewVerdict} by a second reviewer: it can no longer be undone here; revert it from the record's history.`,
      );
    const [current] = await sequelizeOf().query<{ label: string | null }>(
      'SELECT label FROM records WHERE id = :id AND deleted_at IS NULL FOR UPDATE',
      { replacements: { id: item.recordId }, type: QueryTypes.SELECT, transaction },
    );
    if (current && current.label !== item.label)
      throw new Conflict(
        'review_item.label_changed',
        `Record ${item.recordId}'s label has changed since you labelled it ("${item.label}" → "${current.label ?? 'none'}"): revert it from the record's history instead.`,
      );
    await audit.trackRecordChanges();
    await editRecord(actor, item.recordId, { label: item.previousLabel }, transaction, (note) => audit.note(note));
    await sequelizeOf().query(
      `UPDATE review_items SET claimed_by = NULL, claim_expires_at = NULL
        WHERE queue_id = :queueId AND claimed_by = :reviewer AND state = 'pending' AND position <> :position`,
      { replacements: { queueId, reviewer, position }, transaction },
    );
    await sequelizeOf().query(
      `UPDATE review_items
          SET state = 'pending', label = NULL, previous_label = NULL, labelled_by = NULL, labelled_at = NULL,
              change_set_id = NULL, claimed_by = :reviewer, claim_expires_at = now() + make_interval(mins => :minutes)
        WHERE queue_id = :queueId AND position = :position`,
      { replacements: { queueId, position, reviewer, minutes }, transaction },
    );
  });
  return workOf(queue!, 'label', position, reviewer);
}
