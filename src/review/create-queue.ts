import { QueryTypes } from 'sequelize';
import * as z from 'zod';
import { Dataset, MlModel, ModelVersion, ReviewQueue, sequelizeOf } from '../../models/index.js';
import { ReviewStrategy } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { actorUserId } from '../access/predicates/actor-user-id.js';
import { refusalMessage } from '../access/refusal-message.js';
import { recordFailure, withAudit } from '../audit/with-audit.js';
import { Forbidden, InvalidInput, NotFound } from '../errors/domain-error.js';
import { enqueueJob } from '../jobs/enqueue-job.js';
import { versionVocabulary } from '../ml/text/version-vocabulary.js';
import { filterInWords, QueueFilterSchema, type DriftSlice, type QueueFilter } from './queue-filter.js';

export const DEFAULT_QUEUE_SIZE = 200;
export const MAX_QUEUE_SIZE = 10_000;

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);
const checkbox = (v: unknown) => (v === 'true' || v === 'on' ? true : v === 'false' || v === '' ? false : v);

/** What someone asks for: the console form, the API body and the drift panel's button all send this. */
export const CreateReviewQueueInput = z
  .object({
    datasetId: z.coerce.number().int().positive('choose the dataset'),
    modelVersionId: z.coerce.number().int().positive('choose the model version whose predictions to review'),
    strategy: ReviewStrategy,
    compareVersionId: z.preprocess(blank, z.coerce.number().int().positive().optional()),
    filter: QueueFilterSchema.optional(),
    size: z.preprocess(
      blank,
      z.coerce
        .number()
        .int('a whole number of records')
        .min(1, 'at least 1 record')
        .max(MAX_QUEUE_SIZE, `at most ${MAX_QUEUE_SIZE.toLocaleString('en')} records`)
        .optional(),
    ),
    secondReview: z.preprocess(checkbox, z.boolean().optional()),
    name: z.preprocess(blank, z.string().trim().min(1).max(200).optional()),
  })
  .strict()
  .meta({ id: 'CreateReviewQueueInput', description: 'A review queue to build over one version’s predictions.' });
export type CreateReviewQueueInput = z.input<typeof CreateReviewQueueInput>;

export interface CreatedReviewQueue {
  queue: { id: number; name: string; status: string };
  jobId: number;
}

/** Strategies that order by the margin (or entropy) stored beside each prediction. */
const UNCERTAINTY_STRATEGIES: readonly ReviewStrategy[] = ['least_margin', 'highest_entropy', 'disagreement', 'drift'];

const STRATEGY_WORDS: Record<ReviewStrategy, string> = {
  least_margin: 'Least margin',
  highest_entropy: 'Highest entropy',
  misclassified: 'Misclassified',
  disagreement: 'Disagreement',
  random: 'Random sample',
  drift: 'Drifted slice',
};

/**
 * Checks a queue request, inserts the queue (status `building`, audited as review_queues.create) and
 * queues the job that fills its items (audited as jobs.enqueue). The role needs reviewQueues.create.
 */
export async function createReviewQueue(
  actor: Actor,
  input: {
    datasetId: number;
    modelVersionId: number;
    strategy: ReviewStrategy;
    compareVersionId?: number;
    filter?: QueueFilter;
    size?: number;
    secondReview?: boolean;
    name?: string;
  },
): Promise<CreatedReviewQueue> {
  const parsed = CreateReviewQueueInput.safeParse(input);
  if (!parsed.success) {
    throw new InvalidInput(
      'review_queue.input',
      `Check the review queue: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}.`,
      Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'request', i.message])),
    );
  }
  const request = parsed.data;
  if (decide(actor, 'reviewQueues', 'create') !== true) {
    const error = new Forbidden('review_queue.forbidden', refusalMessage(actor, 'reviewQueues', 'create'));
    await recordFailure(
      actor,
      { action: 'review_queues.create', resource: 'reviewQueues', selection: { datasetId: request.datasetId } },
      error,
    );
    throw error;
  }
  const plan = await planQueue(request);
  const queue = await withAudit(
    actor,
    { action: 'review_queues.create', resource: 'reviewQueues' },
    async (_tx, audit) => {
      const created = await ReviewQueue.create({
        name: plan.name,
        datasetId: request.datasetId,
        modelVersionId: request.modelVersionId,
        strategy: request.strategy,
        compareVersionId: request.compareVersionId ?? null,
        filter: { ...plan.filter },
        secondReview: request.secondReview ?? false,
        size: 0,
        status: 'building',
        jobId: null,
        createdById: actorUserId(actor) ?? null,
      });
      audit.note({ recordIds: [created.id], after: { ...created.get({ plain: true }), requestedSize: plan.size } });
      return created;
    },
  );
  try {
    const job = await enqueueJob(actor, 'review', { queueId: queue.id, datasetId: request.datasetId, size: plan.size });
    await queue.update({ jobId: job.id });
    return { queue: { id: queue.id, name: queue.name, status: queue.status }, jobId: job.id };
  } catch (error) {
    // The queue must not read "building" for ever when its job could not be queued.
    await queue.update({ status: 'failed' }).catch(() => undefined);
    throw error;
  }
}

interface QueuePlan {
  name: string;
  filter: QueueFilter;
  size: number;
}

type Request = z.output<typeof CreateReviewQueueInput>;

/** The checks that need the database: the dataset, the version (and the compared one), the filter against both. */
async function planQueue(request: Request): Promise<QueuePlan> {
  const dataset = await Dataset.findByPk(request.datasetId);
  if (!dataset) throw new NotFound('review_queue.no_dataset', `There is no dataset ${request.datasetId}.`);
  const { version, model } = await versionOf(request.modelVersionId, dataset);
  const filter: QueueFilter = request.filter ?? {};
  if (request.strategy === 'disagreement') {
    if (request.compareVersionId === undefined)
      throw invalid(
        'compareVersionId',
        'The disagreement strategy compares two versions: choose the version to compare with.',
      );
    if (request.compareVersionId === request.modelVersionId)
      throw invalid(
        'compareVersionId',
        'Choose a different version to compare with: a version always agrees with itself.',
      );
    await versionOf(request.compareVersionId, dataset);
  } else if (request.compareVersionId !== undefined) {
    throw invalid(
      'compareVersionId',
      `Only the disagreement strategy compares two versions: clear the version to compare with, or choose "disagreement".`,
    );
  }
  if (request.strategy === 'drift' && !filter.slice)
    throw invalid(
      'filter.slice',
      'The drift strategy reviews a drifted slice: give the feature and its range or value.',
    );
  if (filter.label !== undefined && dataset.labels.length > 0 && !dataset.labels.includes(filter.label))
    throw invalid(
      'filter.label',
      `"${filter.label}" is not one of the labels of dataset ${dataset.name} (${dataset.labels.join(', ')}): pick one of them.`,
    );
  const isText = dataset.task === 'text-classification';
  const needsVocabulary = filter.dedupe === 'tfidf' || filter.slice?.feature === 'out_of_vocabulary';
  if (needsVocabulary) {
    if (!isText)
      throw invalid(
        filter.dedupe === 'tfidf' ? 'filter.dedupe' : 'filter.slice.feature',
        `Dataset ${dataset.name} is tabular: TF-IDF similarity and out-of-vocabulary rates need text; use exact dedupe.`,
      );
    if (!(await versionVocabulary(version.id)))
      throw invalid(
        filter.dedupe === 'tfidf' ? 'filter.dedupe' : 'filter.slice.feature',
        `Version ${version.version} of "${model.name}" holds no TF-IDF vocabulary (an uploaded model?): use exact dedupe, or a version trained in ModelDesk.`,
      );
  }
  if (filter.slice) checkSlice(filter.slice, dataset);
  const scored = await sequelizeOf().query<{ one: number }>(
    'SELECT 1 AS one FROM record_predictions WHERE model_version_id = :versionId LIMIT 1',
    { replacements: { versionId: version.id }, type: QueryTypes.SELECT },
  );
  if (scored.length === 0)
    throw invalid(
      'modelVersionId',
      `Version ${version.version} of "${model.name}" has scored no records of ${dataset.name} yet: run "Score dataset" with it first, then build the queue.`,
    );
  if (UNCERTAINTY_STRATEGIES.includes(request.strategy)) {
    const measured = await sequelizeOf().query<{ one: number }>(
      'SELECT 1 AS one FROM record_predictions WHERE model_version_id = :versionId AND margin IS NOT NULL LIMIT 1',
      { replacements: { versionId: version.id }, type: QueryTypes.SELECT },
    );
    if (measured.length === 0)
      throw invalid(
        'strategy',
        `The predictions of version ${version.version} of "${model.name}" carry no margin or entropy (they were written before ModelDesk recorded them): run "Score dataset" with it again, or choose the misclassified or random strategy.`,
      );
  }
  const words = filterInWords(filter);
  const name =
    request.name ??
    `${STRATEGY_WORDS[request.strategy]}: ${model.name} v${version.version}${words ? ` (${words})` : ''}`.slice(0, 200);
  return { name, filter, size: request.size ?? DEFAULT_QUEUE_SIZE };
}

async function versionOf(versionId: number, dataset: Dataset): Promise<{ version: ModelVersion; model: MlModel }> {
  const version = await ModelVersion.findByPk(versionId, { attributes: ['id', 'modelId', 'version'] });
  const model = version ? await MlModel.findByPk(version.modelId, { attributes: ['id', 'name', 'datasetId'] }) : null;
  if (!version || !model) throw new NotFound('review_queue.no_version', `There is no model version ${versionId}.`);
  if (model.datasetId !== dataset.id)
    throw invalid(
      'modelVersionId',
      `Version ${version.version} of "${model.name}" reads dataset ${model.datasetId}, not ${dataset.name}: choose a version of a model of ${dataset.name}.`,
    );
  return { version, model };
}

/** A slice must name a feature the dataset has, with the kind of bound that feature takes. */
function checkSlice(slice: DriftSlice, dataset: Dataset): void {
  const range = slice.min !== undefined || slice.max !== undefined;
  if (dataset.task === 'text-classification') {
    if (slice.feature !== 'length' && slice.feature !== 'out_of_vocabulary')
      throw invalid(
        'filter.slice.feature',
        `Text dataset ${dataset.name} has two slice features, "length" and "out_of_vocabulary", not "${slice.feature}".`,
      );
    if (!range) throw invalid('filter.slice', `Give a range (min and/or max) of ${slice.feature}.`);
    return;
  }
  const spec = dataset.featureSchema.find((f) => f.name === slice.feature);
  if (!spec)
    throw invalid(
      'filter.slice.feature',
      `Dataset ${dataset.name} has no feature "${slice.feature}"; its features are ${dataset.featureSchema.map((f) => f.name).join(', ')}.`,
    );
  if (spec.type === 'category' && slice.value === undefined)
    throw invalid('filter.slice.value', `"${spec.name}" is a category: give the value of the slice, not a range.`);
  if (spec.type === 'number' && !range)
    throw invalid('filter.slice', `"${spec.name}" is a number: give a range (min and/or max), not a value.`);
}

function invalid(field: string, message: string): InvalidInput {
  return new InvalidInput('review_queue.input', message, { [field]: message });
}
