import type { Action, ActionResponse } from 'adminjs';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';

/**
 * The labeling page of a review queue: one record at a time, keyboard-driven. The page does its work
 * through the REST API with the console session (`POST /api/v1/review-queues/{id}/claim`, `…/items/
 * {position}/label|skip|undo|verdict`: src/api/v1/review-items.ts), so this action only opens it and
 * writes nothing, GET or POST (the CSRF test lists it as read-only). `label` labels the queue's
 * items; `secondReview` accepts or rejects other reviewers' labels (queues with second review).
 */
const labelingPage = (mode: 'label' | 'review'): Partial<Action<ActionResponse>> => ({
  actionType: 'record',
  icon: mode === 'label' ? 'Tag' : 'CheckSquare',
  component: Components.LabelQueue,
  showInDrawer: false,
  handler: actionHandler(async (_request, _response, { record, currentAdmin }) => ({
    record: record!.toJSON(currentAdmin),
    mode,
  })),
});

export const labelQueue = labelingPage('label');
export const secondReviewQueue = labelingPage('review');
