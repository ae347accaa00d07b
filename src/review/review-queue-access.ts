import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors/domain-error.js';

/** The queue as the labeling services need it (read with raw SQL: the Sequelize model is the queue builder's). */
export interface ReviewQueueRow {
  id: number;
  name: string;
  datasetId: number;
  modelVersionId: number;
  strategy: string;
  secondReview: boolean;
  status: 'building' | 'open' | 'closed' | 'failed';
}

/** What a reviewer may do on a queue: label its items (and skip, undo), or review other people's labels. */
export type ReviewAction = 'label' | 'secondReview';

/**
 * The user who reviews: claims, labels and verdicts name a person (review_items reference users), so
 * a key acts as its owner; the CLI and the system are nobody's reviewer.
 */
export function reviewerOf(actor: Actor): number {
  if (actor.type === 'user') return actor.id;
  if (actor.type === 'api_key') return actor.ownerId;
  throw new InvalidInput(
    'review.reviewer_required',
    'Review queue work belongs to a person: sign in to the console, or call the API with a personal API key.',
  );
}

/**
 * The queue, after the rule table allows `action` for the actor and the queue is open for work. Locks
 * nothing: the items are what the services lock.
 */
export async function openQueueFor(
  actor: Actor,
  queueId: number,
  action: ReviewAction,
  transaction: Transaction,
): Promise<ReviewQueueRow> {
  if (decide(actor, 'reviewQueues', action) !== true)
    throw new Forbidden(
      `review_queues.${action === 'label' ? 'label' : 'second_review'}_forbidden`,
      refusalMessage(actor, 'reviewQueues', action),
    );
  const [queue] = await sequelizeOf().query<ReviewQueueRow>(
    `SELECT id, name, dataset_id AS "datasetId", model_version_id AS "modelVersionId", strategy,
            second_review AS "secondReview", status
       FROM review_queues WHERE id = :queueId`,
    { replacements: { queueId }, type: QueryTypes.SELECT, transaction },
  );
  if (!queue) throw new NotFound('review_queue.not_found', `There is no review queue ${queueId}.`);
  if (queue.status === 'building')
    throw new Conflict(
      'review_queue.building',
      `Review queue "${queue.name}" is still being built: open it again when its job has finished.`,
    );
  if (queue.status !== 'open')
    throw new Conflict(
      'review_queue.not_open',
      `Review queue "${queue.name}" is ${queue.status}: it takes no more work; create a new queue to review more records.`,
    );
  if (action === 'secondReview' && !queue.secondReview)
    throw new Conflict(
      'review_queue.no_second_review',
      `Review queue "${queue.name}" was created without second review: its labels are final once set.`,
    );
  return queue;
}

/** One item, as its row stands (camelCase), locked for the rest of `transaction`. */
export interface ReviewItemRow {
  queueId: number;
  position: number;
  recordId: number;
  state: 'pending' | 'labelled' | 'skipped';
  claimedBy: number | null;
  claimLive: boolean;
  label: string | null;
  previousLabel: string | null;
  labelledBy: number | null;
  changeSetId: number | null;
  reviewVerdict: 'accepted' | 'rejected' | null;
}

export async function lockItem(
  queue: ReviewQueueRow,
  position: number,
  transaction: Transaction,
): Promise<ReviewItemRow> {
  const [item] = await sequelizeOf().query<ReviewItemRow>(
    `SELECT queue_id AS "queueId", position, record_id::int AS "recordId", state, claimed_by AS "claimedBy",
            coalesce(claim_expires_at > now(), false) AS "claimLive", label, previous_label AS "previousLabel",
            labelled_by AS "labelledBy", change_set_id::int AS "changeSetId", review_verdict AS "reviewVerdict"
       FROM review_items WHERE queue_id = :queueId AND position = :position FOR UPDATE`,
    { replacements: { queueId: queue.id, position }, type: QueryTypes.SELECT, transaction },
  );
  if (!item)
    throw new NotFound(
      'review_item.not_found',
      `Review queue "${queue.name}" has no item ${position} (its items are numbered 1 to its size).`,
    );
  return item;
}

/** Refuses work on an item someone else holds: no two reviewers work on one record at once. */
export function refuseOthersClaim(item: ReviewItemRow, reviewer: number): void {
  if (item.claimedBy !== null && item.claimedBy !== reviewer && item.claimLive)
    throw new Conflict(
      'review_item.claimed',
      `Item ${item.position} is being reviewed by someone else right now: take the next item instead.`,
    );
}

/** What the audit note says of the queue work (`selection.review`), the same for every action. */
export function reviewNote(queue: ReviewQueueRow, position: number, extra: Record<string, unknown> = {}) {
  return { review: { queueId: queue.id, queue: queue.name, position, strategy: queue.strategy, ...extra } };
}
