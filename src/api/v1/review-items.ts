import * as z from 'zod';
import { claimItem, ClaimInput } from '../../review/claim-item.js';
import { labelItem, LabelInput } from '../../review/label-item.js';
import { ReviewWork } from '../../review/review-work.js';
import { secondReview, VerdictInput } from '../../review/second-review.js';
import { skipItem } from '../../review/skip-item.js';
import { undoLabel } from '../../review/undo-label.js';
import { callerOf } from '../caller.js';
import type { ApiVersion } from '../route.js';
import { IdParam } from '../schemas.js';

const ItemParams = IdParam.extend({
  position: z.coerce.number().int('a whole number').positive('a position from 1'),
});

const WORK = { 200: { description: 'The queue, your current item (or null) and the progress.', schema: ReviewWork } };

/**
 * Working through a review queue: claim the next item, label it (an audited edit of the record's
 * label), skip it, undo one's last label, and accept or reject another reviewer's label. The console's
 * labeling page calls these with the session.
 */
export function addReviewItemRoutes(api: ApiVersion): void {
  api.add({
    method: 'post',
    path: '/review-queues/{id}/claim',
    tag: 'Review queues',
    access: { scope: 'records:write', resource: 'reviewQueues', action: 'label' },
    summary: 'Claim the next item to label (or to second-review)',
    description:
      'Answers the item you already hold, else the first free one, held for REVIEW_CLAIM_MINUTES; no two reviewers hold one item. `item` is null when nothing is left for you. Mode `review` (queues with second review) gives labels of other reviewers to accept or reject.',
    params: IdParam,
    body: ClaimInput,
    responses: WORK,
    handler: ({ params, body }, _req, res) => claimItem(callerOf(res).actor, params.id, body),
  });

  api.add({
    method: 'post',
    path: '/review-queues/{id}/items/{position}/label',
    tag: 'Review queues',
    access: { scope: 'records:write', resource: 'reviewQueues', action: 'label' },
    summary: "Label an item (sets the record's label, audited)",
    description:
      "Changes the record's label as a normal audited edit (`records.update`, its change-set in the record's history) whose `selection.review` names the queue, position and strategy. 409 when someone else holds the item or it is no longer pending.",
    params: ItemParams,
    body: LabelInput,
    responses: WORK,
    handler: ({ params, body }, _req, res) => labelItem(callerOf(res).actor, params.id, params.position, body),
  });

  api.add({
    method: 'post',
    path: '/review-queues/{id}/items/{position}/skip',
    tag: 'Review queues',
    access: { scope: 'records:write', resource: 'reviewQueues', action: 'label' },
    summary: 'Skip an item',
    params: ItemParams,
    responses: WORK,
    handler: ({ params }, _req, res) => skipItem(callerOf(res).actor, params.id, params.position),
  });

  api.add({
    method: 'post',
    path: '/review-queues/{id}/items/{position}/undo',
    tag: 'Review queues',
    access: { scope: 'records:write', resource: 'reviewQueues', action: 'label' },
    summary: 'Undo your label of an item',
    description:
      "Puts the record's previous label back (audited) and the item back to pending, held by you. Only your own label, and not once it was second-reviewed or the record's label changed since.",
    params: ItemParams,
    responses: WORK,
    handler: ({ params }, _req, res) => undoLabel(callerOf(res).actor, params.id, params.position),
  });

  api.add({
    method: 'post',
    path: '/review-queues/{id}/items/{position}/verdict',
    tag: 'Review queues',
    access: { scope: 'records:write', resource: 'reviewQueues', action: 'secondReview' },
    summary: "Accept or reject another reviewer's label",
    description: 'Queues with second review only; never your own label; a rejection needs a comment.',
    params: ItemParams,
    body: VerdictInput,
    responses: WORK,
    handler: ({ params, body }, _req, res) => secondReview(callerOf(res).actor, params.id, params.position, body),
  });
}
