import type { ResourceWithOptions } from 'adminjs';
import type { ModelCheckLimits } from '../src/registry/check-model.js';
import { scoreDatasetAction } from '../admin/actions/batch-score/index.js';
import { MlModel, modelAuditedFields } from '../models/ml-model.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';
import { Components, historyLink } from '../admin/components.js';
import { modelHubAction } from '../admin/actions/hubs/index.js';
import { addPersonLabels } from './hooks/add-person-labels.js';
import { fillCreatedBy } from './hooks/fill-created-by.js';
import { compare } from '../admin/actions/compare/index.js';
import { modelChartsAction } from '../admin/actions/charts/index.js';
import { driftAction } from '../admin/actions/drift/index.js';
import { train } from '../admin/actions/train/index.js';
import { syncSchedulesAfterSave } from './hooks/sync-retrain-schedules.js';
import { upload } from '../admin/actions/upload/index.js';

export const mlModelResource = (settings: {
  maxUploadBytes: number;
  modelCheck?: ModelCheckLimits;
}): ResourceWithOptions => ({
  resource: new ConsoleResource(MlModel),
  options: {
    id: 'models',
    navigation: Navigation.models,
    listProperties: ['id', 'name', 'task', 'datasetId', 'createdById', 'updatedAt'],
    // No person filter: its drawer searches users, which a data scientist may not (a 403, audited as denied).
    filterProperties: ['name', 'task', 'datasetId', 'createdAt'],
    // The hub (versions, aliases, jobs) right after what the model is; its settings and timestamps below.
    showProperties: [
      'name',
      'description',
      'task',
      'datasetId',
      'createdById',
      'hub',
      'retrainSchedule',
      'autoPromoteMetric',
      'autoPromoteMargin',
      'id',
      'createdAt',
      'updatedAt',
      'history',
    ],
    editProperties: [
      'name',
      'description',
      'task',
      'datasetId',
      'retrainSchedule',
      'autoPromoteMetric',
      'autoPromoteMargin',
    ],
    sort: { sortBy: 'updatedAt', direction: 'desc' },
    properties: {
      ...historyLink,
      name: {
        isTitle: true,
        description: 'Unique name used by the API (POST /api/v1/models/{name}/predict) and the CLI.',
      },
      description: { type: 'textarea', description: 'What the model decides and who relies on it (free text).' },
      task: { description: 'Must match the task of the dataset it is trained on.' },
      datasetId: { reference: 'datasets', description: 'The dataset new versions are trained and evaluated on.' },
      createdById: {
        reference: 'users',
        description: 'Who registered the model.',
        components: { list: Components.PersonEmail, show: Components.PersonEmail },
      },
      hub: {
        description: 'Versions, aliases and recent jobs of the model.',
        components: { show: Components.ModelHub },
        isVisible: { list: false, show: true, edit: false, filter: false },
      },
      retrainSchedule: {
        description:
          'Optional. Retrain periodically: a cron expression in UTC (minute hour day-of-month month day-of-week), at most every 5 minutes, e.g. "0 3 * * 1" = Mondays 03:00. Scheduled runs promote only if better (below).',
      },
      autoPromoteMetric: {
        availableValues: [
          { value: 'accuracy', label: 'accuracy' },
          { value: 'macroF1', label: 'macro F1' },
          { value: 'rocAuc', label: 'ROC-AUC' },
        ],
        description:
          'The test metric a retrained version must beat production on to be promoted by itself. Empty: accuracy.',
      },
      autoPromoteMargin: {
        type: 'number',
        description: 'How much better (0 to 1) it must be, e.g. 0.005 = half a percentage point of accuracy.',
      },
    },
    actions: withAccess('models', modelAuditedFields, {
      list: { after: [addPersonLabels(['createdById'])] },
      show: { after: [addPersonLabels(['createdById'])] },
      new: { before: [fillCreatedBy('createdById')], after: [syncSchedulesAfterSave] },
      edit: { after: [syncSchedulesAfterSave] },
      delete: { after: [syncSchedulesAfterSave] },
      compare,
      charts: modelChartsAction,
      drift: driftAction,
      train: train('models'),
      upload: upload(settings.maxUploadBytes, settings.modelCheck),
      score: scoreDatasetAction,
      hub: modelHubAction,
    }),
  },
});
