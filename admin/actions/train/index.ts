import type { Action, ActionRequest, ActionResponse } from 'adminjs';
import { modelsOfDataset, queueTraining } from '../../../src/ml/queue-training.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

const FORM_FIELDS = [
  'l2',
  'maxIterations',
  'minDf',
  'maxFeatures',
  'editedSince',
  'tag',
  'reviewedSince',
  'reviewedSinceVersion',
  'autoPromote',
  'search',
  'calibrate',
] as const;

/** The form's fields, as the training settings someone gave. */
function formSettings(payload: ActionRequest['payload']): Record<string, unknown> {
  return Object.fromEntries(FORM_FIELDS.map((field) => [field, payload?.[field]]));
}

/**
 * "Retrain": a form of hyperparameters and training filter; queues a train job and opens its live
 * progress page. On a model it trains that model; on a dataset the form also asks which of the
 * dataset's models to retrain (GET answers with their names).
 */
export const train = (on: 'models' | 'datasets'): Partial<Action<ActionResponse>> => ({
  actionType: 'record',
  icon: 'Play',
  component: Components.TrainForm,
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }) => {
    const datasetId = on === 'datasets' ? Number(record!.id()) : Number(record!.params.datasetId);
    if (request.method !== 'post') {
      return {
        record: record!.toJSON(currentAdmin),
        models: on === 'datasets' ? await modelsOfDataset(datasetId) : [],
      };
    }
    const name = on === 'models' ? String(record!.params.name) : String(request.payload?.model ?? '');
    const job = await queueTraining(
      actorOf(currentAdmin),
      name,
      formSettings(request.payload),
      on === 'datasets' ? datasetId : undefined,
    );
    return {
      record: record!.toJSON(currentAdmin),
      notice: { type: 'success', message: `Retraining of ${name} queued as job ${job.id}: follow its progress here.` },
      redirectUrl: h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
    };
  }),
});
