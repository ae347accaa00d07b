// Placeholder for H2's src/review/create-queue.ts (issue 22 plan, "Interfaces between helpers"): the
// signature the drift panel's "Queue this slice for review" calls. On merge, H2's file replaces this one.
import type { Actor } from '../access/actor.js';
import { Unavailable } from '../errors/domain-error.js';
import type { QueueFilter } from './queue-filter.js';

export interface CreatedReviewQueue {
  queue: { id: number; name: string; status: string };
  jobId: number;
}

export function createReviewQueue(
  _actor: Actor,
  _input: {
    datasetId: number;
    modelVersionId: number;
    strategy: 'least_margin' | 'highest_entropy' | 'misclassified' | 'disagreement' | 'random' | 'drift';
    compareVersionId?: number;
    filter?: QueueFilter;
    size?: number;
    secondReview?: boolean;
    name?: string;
  },
): Promise<CreatedReviewQueue> {
  return Promise.reject(
    new Unavailable('review_queue.unavailable', 'Review queues are not available in this build yet; ask an admin.'),
  );
}
