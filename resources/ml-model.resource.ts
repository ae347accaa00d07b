import type { ResourceWithOptions } from 'adminjs';
import { MlModel, modelAuditedFields } from '../models/ml-model.js';
import { withAccess } from '../admin/access.js';
import { Navigation } from '../admin/navigation.js';
import { fillCreatedBy } from './hooks/fill-created-by.js';
import { compare } from '../admin/actions/compare/index.js';
import { train } from '../admin/actions/train/index.js';
import { upload } from '../admin/actions/upload/index.js';

export const mlModelResource = (settings: { maxUploadBytes: number }): ResourceWithOptions => ({
  resource: MlModel,
  options: {
    id: 'models',
    navigation: Navigation.models,
    listProperties: ['id', 'name', 'task', 'datasetId', 'createdById', 'updatedAt'],
    filterProperties: ['name', 'task', 'datasetId', 'createdById', 'createdAt'],
    showProperties: ['id', 'name', 'description', 'task', 'datasetId', 'createdById', 'createdAt', 'updatedAt'],
    editProperties: ['name', 'description', 'task', 'datasetId'],
    sort: { sortBy: 'updatedAt', direction: 'desc' },
    properties: {
      name: { isTitle: true, description: 'Unique name used by the API (POST /api/v1/models/{name}/predict) and the CLI.' },
      task: { description: 'Must match the task of the dataset it is trained on.' },
      datasetId: { reference: 'datasets', description: 'The dataset new versions are trained and evaluated on.' },
      createdById: { reference: 'users', description: 'Who registered the model.' },
    },
    actions: withAccess('models', modelAuditedFields, { new: { before: [fillCreatedBy('createdById')] }, compare, train, upload: upload(settings.maxUploadBytes) }),
  },
});
