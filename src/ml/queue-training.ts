import { MlModel, type Job } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { Forbidden, InvalidInput } from '../errors/domain-error.js';
import { enqueueJob } from '../jobs/enqueue-job.js';
import { trainJobParams } from './train-model.js';

/** The names of a dataset's models, the choices of "Retrain" on a dataset. */
export async function modelsOfDataset(datasetId: number): Promise<string[]> {
  const models = await MlModel.findAll({ where: { datasetId }, attributes: ['name'], order: [['name', 'ASC']] });
  return models.map((model) => model.name);
}

/**
 * Queues a retraining of `model` with the settings someone gave (blanks dropped, checked now, before
 * the job exists). `inDataset`: the model must be one of that dataset's (retraining from a dataset).
 */
export async function queueTraining(
  actor: Actor,
  model: string,
  settings: Readonly<Record<string, unknown>>,
  inDataset?: number,
): Promise<Job> {
  if (decide(actor, 'models', 'train') !== true)
    throw new Forbidden('model.train_forbidden', refusalMessage(actor, 'models', 'train'));
  if (inDataset !== undefined && !(await MlModel.findOne({ where: { name: model, datasetId: inDataset } }))) {
    throw new InvalidInput(
      'train.model_not_in_dataset',
      `Choose one of this dataset's models to retrain${model ? ` ("${model}" is not one)` : ''}.`,
    );
  }
  return enqueueJob(actor, 'train', trainJobParams(model, settings));
}
