import { Op } from 'sequelize';
import * as z from 'zod';
import { Job } from '../../../models/index.js';
import { JobStatus } from '../../../models/enums.js';
import { matchesFilter } from '../../access/decide.js';
import { NotFound } from '../../errors/domain-error.js';
import { cancelJob } from '../../jobs/cancel-job.js';
import { queueTraining } from '../../ml/queue-training.js';
import { RecordFilter } from '../../records/record-selection.js';
import { AliasName } from '../../registry/promote-alias.js';
import { queueScoring } from '../../scoring/queue-scoring.js';
import { callerOf } from '../caller.js';
import type { ApiVersion } from '../route.js';
import { IdParam, NameParam, PageQuery, pageOf } from '../schemas.js';
import { JobSchema } from './resource-schemas.js';
import { jobJson, page } from './serialize.js';

const QueuedSchema = z.object({
  job: JobSchema,
  matching: z.number().int().optional().meta({ description: 'Records the scoring job will read.' }),
});

/** Background jobs: queue batch scoring or training, follow them, cancel them. */
export function addJobRoutes(api: ApiVersion): void {
  api.add({
    method: 'post',
    path: '/models/{name}/score',
    tag: 'Jobs',
    access: { scope: 'jobs:write', resource: 'models', action: 'score' },
    summary: 'Queue batch scoring',
    description:
      "Scores the model's dataset (or the records matching `filter`) with the version the alias (default production) points at when queued, or `version`. Follow it at GET /api/v1/jobs/{id}.",
    params: NameParam,
    body: z
      .object({
        alias: AliasName.optional(),
        version: z.number().int().positive().optional(),
        filter: RecordFilter.omit({ datasetId: true }).optional(),
      })
      .strict(),
    responses: { 202: { description: 'Queued.', schema: QueuedSchema } },
    handler: async ({ params, body }, _req, res) => {
      const { job, matching } = await queueScoring(callerOf(res).actor, {
        model: params.name,
        alias: body.alias,
        version: body.version,
        ...(body.filter ? { selection: { filter: body.filter } } : {}),
      });
      res.location(`/api/v1/jobs/${job.id}`);
      return { job: jobJson(job), matching };
    },
  });

  api.add({
    method: 'post',
    path: '/models/{name}/train',
    tag: 'Jobs',
    access: { scope: 'jobs:write', resource: 'models', action: 'train' },
    summary: 'Queue a retraining',
    description:
      "Trains a new version on the dataset's labelled train rows (optionally narrowed by `tag` or `editedSince`); with `reviewedSince` or `reviewedSinceVersion`, also on the train rows labelled through a review queue since then, except a held-out 20% it is evaluated on (`metrics.reviewed`); with `autoPromote`, promotes it if it beats production by the model's margin; with `search`, chooses l2 (and, for text, minDf and maxFeatures) by 5-fold cross-validation on the train rows first (slower); with `calibrate`, fits a temperature on 15% of the train rows (see the models guide).",
    params: NameParam,
    body: z
      .object({
        l2: z.number().min(0).max(1).optional(),
        maxIterations: z.number().int().min(1).max(10_000).optional(),
        /** Former names: maxEpochs is read as maxIterations; learningRate is ignored (L-BFGS has none). */
        maxEpochs: z.number().int().min(1).max(10_000).optional(),
        learningRate: z.number().gt(0).max(1).optional(),
        minDf: z.number().int().min(1).max(1_000).optional(),
        maxFeatures: z.number().int().min(10).max(200_000).optional(),
        editedSince: z.string().optional(),
        tag: z.string().optional(),
        reviewedSince: z.string().optional().meta({
          description:
            'Retrain with reviewed records: train rows labelled through a review queue of the dataset at or after this date are trained on (whatever the other filters say) except a held-out 20%, evaluated into `metrics.reviewed`.',
        }),
        reviewedSinceVersion: z.boolean().optional().meta({
          description:
            "As `reviewedSince`, counted from the creation of the model's latest version; not with `reviewedSince`.",
        }),
        autoPromote: z.boolean().optional(),
        search: z.boolean().optional(),
        calibrate: z.boolean().optional(),
      })
      .strict(),
    responses: { 202: { description: 'Queued.', schema: QueuedSchema } },
    handler: async ({ params, body }, _req, res) => {
      const job = await queueTraining(callerOf(res).actor, params.name, body);
      res.location(`/api/v1/jobs/${job.id}`);
      return { job: jobJson(job) };
    },
  });

  api.add({
    method: 'get',
    path: '/jobs',
    tag: 'Jobs',
    access: { scope: 'jobs:write', resource: 'jobs', action: 'list' },
    summary: 'List jobs',
    description: 'Newest first. Non-admins see the jobs they (or their keys) started.',
    query: PageQuery.extend({ status: JobStatus.optional() }),
    responses: { 200: { description: 'A page of jobs.', schema: pageOf(JobSchema) } },
    handler: async ({ query, decision }) => {
      const rows = await Job.findAll({
        where: {
          ...(typeof decision === 'object' ? decision : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(query.after ? { id: { [Op.lt]: query.after } } : {}),
        },
        order: [['id', 'DESC']],
        limit: query.limit + 1,
      });
      return page(rows.map(jobJson), query.limit);
    },
  });

  api.add({
    method: 'get',
    path: '/jobs/{id}',
    tag: 'Jobs',
    access: { scope: 'jobs:write', resource: 'jobs', action: 'show' },
    summary: 'Read a job (status, progress, result)',
    params: IdParam,
    responses: { 200: { description: 'The job.', schema: JobSchema } },
    handler: async ({ params, decision }) => {
      const job = await Job.findByPk(params.id);
      // Someone else's job reads as missing: ids are not a directory of other people's work.
      if (!job || (typeof decision === 'object' && !matchesFilter(job.get({ plain: true }), decision)))
        throw new NotFound('job.not_found', `There is no job ${params.id} of yours.`);
      return jobJson(job);
    },
  });

  api.add({
    method: 'post',
    path: '/jobs/{id}/cancel',
    tag: 'Jobs',
    access: { scope: 'jobs:write', resource: 'jobs', action: 'cancel' },
    summary: 'Cancel a job',
    description:
      'A queued job is cancelled at once; a running one stops at its next step (its committed chunks stay). 409 when it has already finished.',
    params: IdParam,
    responses: { 200: { description: 'The job after the request.', schema: JobSchema } },
    handler: async ({ params }, _req, res) => {
      return jobJson(await cancelJob(callerOf(res).actor, params.id));
    },
  });
}
