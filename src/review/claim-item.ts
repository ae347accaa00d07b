import { QueryTypes } from 'sequelize';
import * as z from 'zod';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { loadConfig } from '../platform/config.js';
import { openQueueFor, reviewerOf } from './review-queue-access.js';
import { workOf, type ReviewWork } from './review-work.js';

export const ClaimInput = z
  .object({
    mode: z.enum(['label', 'review']).default('label').meta({
      description: '`label`: the next pending item; `review`: the next label of someone else to accept or reject.',
    }),
  })
  .strict()
  .meta({ id: 'ClaimInput' });
export type ClaimInput = z.input<typeof ClaimInput>;

/** Which items each mode works on (SQL over review_items `i`). */
const WORK_OF_MODE = {
  label: `i.state = 'pending'`,
  // Never one's own label: a second review is someone else's judgement.
  review: `i.state = 'labelled' AND i.review_verdict IS NULL AND i.labelled_by IS DISTINCT FROM :reviewer`,
} as const;

/**
 * Gives the reviewer an item of the queue to work on, held for REVIEW_CLAIM_MINUTES: the one they
 * already hold (a reloaded page gets the same record, its claim extended), else the first free one in
 * queue order. `FOR UPDATE SKIP LOCKED` lets concurrent reviewers pass over the row another is taking
 * instead of waiting for it or both getting it; a claim past its expiry is free again (the reviewer
 * closed the tab). Claims are leases, not edits, so they write no audit event: the label, skip or
 * verdict that ends one does. `item` is null when nothing is left for this reviewer.
 */
export async function claimItem(
  actor: Actor,
  queueId: number,
  input: ClaimInput = {},
  options: { claimMinutes?: number } = {},
): Promise<ReviewWork> {
  const { mode } = ClaimInput.parse(input);
  const reviewer = reviewerOf(actor);
  const minutes = options.claimMinutes ?? loadConfig().REVIEW_CLAIM_MINUTES;
  return sequelizeOf().transaction(async (transaction) => {
    const queue = await openQueueFor(actor, queueId, mode === 'label' ? 'label' : 'secondReview', transaction);
    const replacements = { queueId, reviewer, minutes };
    const work = WORK_OF_MODE[mode];
    const [held] = await sequelizeOf().query<{ position: number }>(
      `UPDATE review_items i SET claim_expires_at = now() + make_interval(mins => :minutes)
        WHERE (i.queue_id, i.position) = (
          SELECT queue_id, position FROM review_items i
           WHERE i.queue_id = :queueId AND i.claimed_by = :reviewer AND i.claim_expires_at > now() AND ${work}
           ORDER BY i.position LIMIT 1 FOR UPDATE)
        RETURNING i.position`,
      { replacements, type: QueryTypes.SELECT, transaction },
    );
    if (held) return workOf(queue, mode, held.position, reviewer, transaction);
    const [taken] = await sequelizeOf().query<{ position: number }>(
      `UPDATE review_items i SET claimed_by = :reviewer, claim_expires_at = now() + make_interval(mins => :minutes)
        WHERE (i.queue_id, i.position) = (
          SELECT queue_id, position FROM review_items i
           WHERE i.queue_id = :queueId AND ${work}
             AND (i.claimed_by IS NULL OR i.claim_expires_at <= now())
             AND EXISTS (SELECT 1 FROM records r WHERE r.id = i.record_id AND r.deleted_at IS NULL)
           ORDER BY i.position LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING i.position`,
      { replacements, type: QueryTypes.SELECT, transaction },
    );
    return workOf(queue, mode, taken?.position ?? null, reviewer, transaction);
  });
}
