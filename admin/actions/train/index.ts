import type { Action, ActionRequest, ActionResponse } from 'adminjs';
import { MlModel } from '../../../models/index.js';
import { decide } from '../../../src/access/decide.js';
import { Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { enqueueJob } from '../../../src/jobs/enqueue-job.js';
import { trainJobParams } from '../../../src/ml/train-model.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

const FORM_FIELDS = ['l2', 'learningRate', 'maxEpochs', 'minDf', 'maxFeatures', 'editedSince', 'tag', 'autoPromote'] as const;

/** The form's fields as train-job params. */
function trainParams(model: string, payload: ActionRequest['payload']): Record<string, unknown> {
  return trainJobParams(model, Object.fromEntries(FORM_FIELDS.map((field) => [field, payload?.[field]])));
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
      const models = on === 'datasets' ? await MlModel.findAll({ where: { datasetId }, attributes: ['name'], order: [['name', 'ASC']] }) : [];
      return { record: record!.toJSON(currentAdmin), models: models.map((model) => model.name) };
    }
    const actor = actorOf(currentAdmin);
    if (decide(actor, 'models', 'train') !== true) throw new Forbidden('model.train_forbidden', 'Your role may not train models.');
    const name = on === 'models' ? String(record!.params.name) : String(request.payload?.model ?? '');
    if (on === 'datasets' && !(await MlModel.findOne({ where: { name, datasetId } }))) {
      throw new InvalidInput('train.model_not_in_dataset', `Choose one of this dataset's models to retrain${name ? ` ("${name}" is not one)` : ''}.`);
    }
    const job = await enqueueJob(actor, 'train', trainParams(name, request.payload));
    return {
      record: record!.toJSON(currentAdmin),
      notice: { type: 'success', message: `Retraining of ${name} queued as job ${job.id}: follow its progress here.` },
      redirectUrl: h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
    };
  }),
});
