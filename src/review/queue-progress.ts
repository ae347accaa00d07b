import { labelAgreement, LabelAgreement } from './agreement.js';
import { QueryTypes } from 'sequelize';
import * as z from 'zod';
import { ReviewQueue, sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { Forbidden, NotFound } from '../errors/domain-error.js';

export const QueueProgressSchema = z
  .object({
    total: z.number().int(),
    pending: z.number().int(),
    labelled: z.number().int(),
    skipped: z.number().int(),
    /** Pending items someone holds a live claim on now. */
    claimed: z.number().int(),
    /** Labelled items whose label differs from the record's label before the review. */
    changed: z.number().int(),
    reviewed: z.number().int(),
  })
  .meta({
    id: 'ReviewQueueProgress',
    description: 'Where the queue is: items by state, labels changed, second reviews.',
  });
export type QueueProgress = z.infer<typeof QueueProgressSchema>;

export const ReviewQueueSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    datasetId: z.number().int(),
    modelVersionId: z.number().int(),
    strategy: z.string(),
    compareVersionId: z.number().int().nullable(),
    filter: z.record(z.string(), z.unknown()),
    secondReview: z.boolean(),
    size: z.number().int(),
    status: z.string(),
    jobId: z.number().int().nullable(),
    createdById: z.number().int().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ReviewQueue' });
export type ReviewQueueJson = z.infer<typeof ReviewQueueSchema>;

export const ReviewQueueDetailSchema = ReviewQueueSchema.extend({
  progress: QueueProgressSchema,
  agreement: z.array(LabelAgreement),
}).meta({ id: 'ReviewQueueDetail' });
export type ReviewQueueDetail = z.infer<typeof ReviewQueueDetailSchema>;

export function reviewQueueJson(queue: ReviewQueue): ReviewQueueJson {
  return {
    id: queue.id,
    name: queue.name,
    datasetId: Number(queue.datasetId),
    modelVersionId: Number(queue.modelVersionId),
    strategy: queue.strategy,
    compareVersionId: queue.compareVersionId === null ? null : Number(queue.compareVersionId),
    filter: queue.filter,
    secondReview: queue.secondReview,
    size: queue.size,
    status: queue.status,
    jobId: queue.jobId === null ? null : Number(queue.jobId),
    createdById: queue.createdById === null ? null : Number(queue.createdById),
    createdAt: queue.createdAt.toISOString(),
  };
}

/** A queue with its progress and per-label agreement (reviewQueues.show), for the console and the API. */
export async function reviewQueueDetail(actor: Actor, queueId: number): Promise<ReviewQueueDetail> {
  if (decide(actor, 'reviewQueues', 'show') !== true)
    throw new Forbidden('review_queue.forbidden', refusalMessage(actor, 'reviewQueues', 'show'));
  const queue = await ReviewQueue.findByPk(queueId);
  if (!queue) throw new NotFound('review_queue.not_found', `There is no review queue ${queueId}.`);
  const [progress, agreement] = await Promise.all([queueProgress(queueId), labelAgreement(queueId)]);
  return { ...reviewQueueJson(queue), progress, agreement };
}

/**
 * A queue's items by state, as aggregates over its review_items rows: the one reading of "total,
 * pending, labelled, skipped, second-reviewed" for the queue's page and the labeling page.
 */
export const ITEM_STATE_COUNTS = `count(*) AS total,
            count(*) FILTER (WHERE state = 'pending') AS pending,
            count(*) FILTER (WHERE state = 'labelled') AS labelled,
            count(*) FILTER (WHERE state = 'skipped') AS skipped,
            count(*) FILTER (WHERE review_verdict IS NOT NULL) AS reviewed`;

/** Items by state, read from review_items in one pass (a queue holds at most 10,000). */
export async function queueProgress(queueId: number): Promise<QueueProgress> {
  const [row] = await sequelizeOf().query<Record<keyof QueueProgress, string>>(
    `SELECT ${ITEM_STATE_COUNTS},
            count(*) FILTER (WHERE state = 'pending' AND claim_expires_at > now()) AS claimed,
            count(*) FILTER (WHERE state = 'labelled' AND label IS DISTINCT FROM previous_label) AS changed
       FROM review_items WHERE queue_id = :queueId`,
    { replacements: { queueId }, type: QueryTypes.SELECT },
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])) as QueueProgress;
}
