import { Op } from 'sequelize';
import * as z from 'zod';
import { ReviewQueue } from '../../../models/index.js';
import { ReviewQueueStatus } from '../../../models/enums.js';
import { createReviewQueue, CreateReviewQueueInput } from '../../review/create-queue.js';
import {
  reviewQueueDetail,
  ReviewQueueDetailSchema,
  reviewQueueJson,
  ReviewQueueSchema,
} from '../../review/queue-progress.js';
import { callerOf } from '../caller.js';
import type { ApiVersion } from '../route.js';
import { IdParam, PageQuery, pageOf } from '../schemas.js';
import { page } from './serialize.js';

const CreatedSchema = z
  .object({
    queue: z.object({ id: z.number().int(), name: z.string(), status: z.string() }),
    jobId: z.number().int().meta({ description: 'The job filling the queue: GET /api/v1/jobs/{jobId}.' }),
  })
  .meta({ id: 'ReviewQueueCreated' });

/** Review queues: build one by a strategy, list them, read one with its progress and agreement. */
export function addReviewQueueRoutes(api: ApiVersion): void {
  api.add({
    method: 'post',
    path: '/review-queues',
    tag: 'Review',
    access: { scope: 'jobs:write', resource: 'reviewQueues', action: 'create' },
    refusedAs: () => ({ action: 'review_queues.create' }),
    summary: 'Build a review queue',
    description:
      "Queues a job that picks `size` (default 200, at most 10,000) of the version's scored records by `strategy` (least_margin, highest_entropy, misclassified, disagreement with `compareVersionId`, random, drift with `filter.slice`), restricted by `filter` and with near-duplicates dropped (`filter.dedupe`). The queue is `building` until the job opens it.",
    body: CreateReviewQueueInput,
    responses: { 202: { description: 'Queued: the queue (building) and its job.', schema: CreatedSchema } },
    handler: async ({ body }, _req, res) => {
      const created = await createReviewQueue(callerOf(res).actor, body);
      res.location(`/api/v1/review-queues/${created.queue.id}`);
      return created;
    },
  });

  api.add({
    method: 'get',
    path: '/review-queues',
    tag: 'Review',
    access: { scope: 'records:read', resource: 'reviewQueues', action: 'list' },
    summary: 'List review queues',
    description: 'Newest first; narrow by dataset, model version or status.',
    query: PageQuery.extend({
      datasetId: z.coerce.number().int().positive().optional(),
      modelVersionId: z.coerce.number().int().positive().optional(),
      status: ReviewQueueStatus.optional(),
    }),
    responses: { 200: { description: 'A page of review queues.', schema: pageOf(ReviewQueueSchema) } },
    handler: async ({ query }) => {
      const rows = await ReviewQueue.findAll({
        where: {
          ...(query.datasetId ? { datasetId: query.datasetId } : {}),
          ...(query.modelVersionId ? { modelVersionId: query.modelVersionId } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(query.after ? { id: { [Op.lt]: query.after } } : {}),
        },
        order: [['id', 'DESC']],
        limit: query.limit + 1,
      });
      return page(rows.map(reviewQueueJson), query.limit);
    },
  });

  api.add({
    method: 'get',
    path: '/review-queues/{id}',
    tag: 'Review',
    access: { scope: 'records:read', resource: 'reviewQueues', action: 'show' },
    summary: 'Read a review queue (progress, per-label agreement)',
    params: IdParam,
    responses: { 200: { description: 'The queue, its progress and agreement.', schema: ReviewQueueDetailSchema } },
    handler: async ({ params }, _req, res) => reviewQueueDetail(callerOf(res).actor, params.id),
  });
}
