import type { Action, ActionResponse } from 'adminjs';
import { decide } from '../../../src/access/decide.js';
import { Forbidden } from '../../../src/errors/domain-error.js';
import { enqueueJob } from '../../../src/jobs/enqueue-job.js';
import { TrainInput } from '../../../src/ml/train-model.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/** "Train new version": a form of hyperparameters; queues a train job and opens its progress page. */
export const train: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Play',
  component: Components.TrainForm,
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }) => {
    if (request.method !== 'post') return { record: record!.toJSON(currentAdmin) };
    const actor = actorOf(currentAdmin);
    if (decide(actor, 'models', 'train') !== true) throw new Forbidden('model.train_forbidden', 'Your role may not train models.');
    const payload = request.payload ?? {};
    const blankToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);
    const params = TrainInput.parse({
      model: record!.params.name,
      l2: blankToUndefined(payload.l2),
      learningRate: blankToUndefined(payload.learningRate),
      maxEpochs: blankToUndefined(payload.maxEpochs),
      minDf: blankToUndefined(payload.minDf),
      maxFeatures: blankToUndefined(payload.maxFeatures),
    });
    const job = await enqueueJob(actor, 'train', Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)));
    return {
      record: record!.toJSON(currentAdmin),
      notice: { type: 'success', message: `Training queued as job ${job.id}: follow its progress here.` },
      redirectUrl: h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
    };
  }),
};
