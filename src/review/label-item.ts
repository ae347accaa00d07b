import * as z from 'zod';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';
import { Conflict } from '../errors/domain-error.js';
import { editRecord } from '../records/save-record.js';
import {
  lockItem,
  openQueueFor,
  refuseOthersClaim,
  reviewerOf,
  reviewNote,
  type ReviewQueueRow,
} from './review-queue-access.js';
import { workOf, type ReviewWork } from './review-work.js';

export const LabelInput = z
  .object({ label: z.string().trim().min(1, 'choose a label').max(200) })
  .strict()
  .meta({ id: 'LabelInput', description: "The label to give the item's record (one of the dataset's labels)." });
export type LabelInput = z.input<typeof LabelInput>;

/**
 * Labels a queue item: the record's label is changed through the records service (a normal audited
 * `records.update`, with its change-set, so the record's history shows it and it can be reverted),
 * and in the same transaction the item becomes `labelled` with the previous label, the reviewer and
 * that change-set. The event's `selection.review` names the queue, the position and the strategy.
 * Giving the label the record already has is a label too (the reviewer confirmed it): the event then
 * records no change. Answers the queue's progress; the page claims the next item itself.
 */
export async function labelItem(
  actor: Actor,
  queueId: number,
  position: number,
  input: LabelInput,
): Promise<ReviewWork> {
  const { label } = LabelInput.parse(input);
  const reviewer = reviewerOf(actor);
  let queue: ReviewQueueRow | undefined;
  await withAudit(actor, { action: 'records.update', resource: 'records' }, async (transaction, audit) => {
    queue = await openQueueFor(actor, queueId, 'label', transaction);
    audit.note({ selection: reviewNote(queue, position, { label }) });
    const item = await lockItem(queue, position, transaction);
    audit.note({ recordIds: [item.recordId] });
    refuseOthersClaim(item, reviewer);
    if (item.state !== 'pending')
      throw new Conflict(
        'review_item.not_pending',
        `Item ${position} is already ${item.state}${item.state === 'labelled' ? ` (as "${item.label}")` : ''}: take the next item, or undo your last label first.`,
      );
    const changeSet = await audit.trackRecordChanges();
    // Locked here (editRecord locks it again, a no-op) so the previous label is the one replaced.
    const before = (await sequelizeOf().query('SELECT label FROM records WHERE id = :id FOR UPDATE', {
      replacements: { id: item.recordId },
      plain: true,
      transaction,
    })) as { label: string | null } | null;
    await editRecord(actor, item.recordId, { label }, transaction, (note) => audit.note(note));
    await sequelizeOf().query(
      `UPDATE review_items
          SET state = 'labelled', label = :label, previous_label = :previous, labelled_by = :reviewer,
              labelled_at = now(), change_set_id = :changeSet, claimed_by = NULL, claim_expires_at = NULL
        WHERE queue_id = :queueId AND position = :position`,
      {
        replacements: { label, previous: before?.label ?? null, reviewer, changeSet: changeSet.id, queueId, position },
        transaction,
      },
    );
  });
  return workOf(queue!, 'label', null, reviewer);
}
