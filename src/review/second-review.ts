import * as z from 'zod';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';
import { Conflict, Forbidden, InvalidInput } from '../errors/domain-error.js';
import {
  lockItem,
  openQueueFor,
  refuseOthersClaim,
  reviewerOf,
  reviewNote,
  type ReviewQueueRow,
} from './review-queue-access.js';
import { workOf, type ReviewWork } from './review-work.js';

export const VerdictInput = z
  .object({
    verdict: z.enum(['accepted', 'rejected']),
    comment: z
      .string()
      .trim()
      .max(2_000, 'at most 2,000 characters')
      .optional()
      .meta({ description: 'Why; required when rejecting.' }),
  })
  .strict()
  .meta({ id: 'VerdictInput', description: "A second reviewer's judgement of another reviewer's label." });
export type VerdictInput = z.input<typeof VerdictInput>;

/**
 * Accepts or rejects another reviewer's label of a queue item (queues created with second review).
 * Never one's own label; a rejection says why. The record keeps its label either way: a rejected
 * label shows in the queue's agreement and can be corrected on the record. Audited as
 * `review_queues.second_review`.
 */
export async function secondReview(
  actor: Actor,
  queueId: number,
  position: number,
  input: VerdictInput,
): Promise<ReviewWork> {
  const { verdict, comment } = VerdictInput.parse(input);
  const reviewer = reviewerOf(actor);
  let queue: ReviewQueueRow | undefined;
  await withAudit(
    actor,
    { action: 'review_queues.second_review', resource: 'reviewQueues' },
    async (transaction, audit) => {
      queue = await openQueueFor(actor, queueId, 'secondReview', transaction);
      audit.note({ selection: reviewNote(queue, position) });
      const item = await lockItem(queue, position, transaction);
      audit.note({ recordIds: [item.recordId], after: { verdict, comment: comment ?? null, label: item.label } });
      if (item.state !== 'labelled')
        throw new Conflict(
          'review_item.not_labelled',
          `Item ${position} has no label to review yet (it is ${item.state}).`,
        );
      if (item.labelledBy === reviewer)
        throw new Forbidden(
          'review_item.own_label',
          `You labelled item ${position}: a second review must come from another reviewer.`,
        );
      if (item.reviewVerdict !== null)
        throw new Conflict(
          'review_item.already_reviewed',
          `Item ${position}'s label was already ${item.reviewVerdict} by a second reviewer.`,
        );
      refuseOthersClaim(item, reviewer);
      if (verdict === 'rejected' && !comment)
        throw new InvalidInput(
          'review.comment_required',
          'Say why you reject the label (a comment), so the first reviewer and the data scientist can act on it.',
          { comment: 'required when rejecting' },
        );
      await sequelizeOf().query(
        `UPDATE review_items
            SET review_verdict = :verdict, reviewed_by = :reviewer, reviewed_at = now(), review_comment = :comment,
                claimed_by = NULL, claim_expires_at = NULL
          WHERE queue_id = :queueId AND position = :position`,
        { replacements: { verdict, reviewer, comment: comment || null, queueId, position }, transaction },
      );
    },
  );
  return workOf(queue!, 'review', null, reviewer);
}
