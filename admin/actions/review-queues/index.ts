import { flat, type Action, type ActionRequest, type ActionResponse, type After, type RecordJSON } from 'adminjs';
import { closeReviewQueue } from '../../../src/review/close-queue.js';
import { createReviewQueue, CreateReviewQueueInput } from '../../../src/review/create-queue.js';
import { reviewQueueChoices } from '../../../src/review/queue-choices.js';
import { reviewQueueDetail } from '../../../src/review/queue-progress.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

const positive = (value: unknown) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};
const optionalNumber = (value: unknown) => (value === undefined || value === '' ? undefined : Number(value));

/** The form's flat fields → the service's input (one schema checks both the form and the API). */
function inputOf(request: ActionRequest): unknown {
  const payload = flat.unflatten<Record<string, unknown>, Record<string, unknown>>(request.payload ?? {});
  const filter = (payload.filter ?? {}) as Record<string, unknown>;
  const slice = (filter.slice ?? {}) as Record<string, unknown>;
  const hasSlice = typeof slice.feature === 'string' && slice.feature !== '';
  return {
    datasetId: payload.datasetId,
    modelVersionId: payload.modelVersionId,
    strategy: payload.strategy,
    compareVersionId: payload.compareVersionId,
    size: payload.size,
    secondReview: payload.secondReview,
    name: payload.name,
    filter: {
      split: filter.split,
      tag: filter.tag,
      label: filter.label,
      dedupe: filter.dedupe,
      similarity: filter.similarity,
      ...(hasSlice
        ? {
            slice: {
              feature: slice.feature,
              min: optionalNumber(slice.min),
              max: optionalNumber(slice.max),
              value: slice.value === '' ? undefined : slice.value,
            },
          }
        : {}),
    },
  };
}

/**
 * "New review queue": GET answers the datasets and versions to choose from (narrowed by ?datasetId= or
 * ?modelVersionId= from the dataset or version page); POST builds the queue and opens its page.
 */
export const createReviewQueueAction: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'PlusCircle',
  component: Components.ReviewQueueForm,
  handler: actionHandler(async (request, _response, { currentAdmin, h }) => {
    if (request.method !== 'post') {
      const datasetId = positive(request.query?.datasetId);
      return { datasets: await reviewQueueChoices(datasetId) };
    }
    const input = CreateReviewQueueInput.parse(inputOf(request));
    const created = await createReviewQueue(actorOf(currentAdmin), input);
    return {
      notice: {
        type: 'success',
        message: `Building "${created.queue.name}" (job ${created.jobId}); it opens when its records are chosen.`,
      },
      redirectUrl: h.recordActionUrl({
        resourceId: 'reviewQueues',
        recordId: String(created.queue.id),
        actionName: 'show',
      }),
    };
  }),
};

/** "Close queue": no more labelling in it; labels already given stay. */
export const closeReviewQueueAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Lock',
  component: Components.ConfirmAction,
  isVisible: ({ record }) => String(record?.params.status) !== 'closed',
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }) => {
    const shown = record!.toJSON(currentAdmin);
    if (request.method !== 'post')
      return {
        record: shown,
        confirmation: {
          title: `Close review queue "${String(record!.params.name)}"`,
          body: 'Nobody can claim or label its items any more. Labels already given stay on the records.',
          button: 'Close queue',
        },
      };
    const queue = await closeReviewQueue(actorOf(currentAdmin), Number(record!.id()));
    return {
      record: shown,
      notice: { type: 'success', message: `Review queue "${queue.name}" closed.` },
      redirectUrl: h.recordActionUrl({ resourceId: 'reviewQueues', recordId: String(queue.id), actionName: 'show' }),
    };
  }),
};

/** The show page's progress and per-label agreement, read from the items (one query each). */
export const addQueueProgress: After<ActionResponse> = async (response, _request, { currentAdmin }) => {
  const record = response.record as RecordJSON | undefined;
  if (!record) return response;
  const detail = await reviewQueueDetail(actorOf(currentAdmin), Number(record.id));
  record.params = {
    ...record.params,
    progress: JSON.stringify({ progress: detail.progress, agreement: detail.agreement }),
  };
  return response;
};
