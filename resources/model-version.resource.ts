import type { ResourceWithOptions } from 'adminjs';
import { ModelVersion, modelVersionAuditedFields } from '../models/model-version.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';
import { Components, historyLink, jsonShow } from '../admin/components.js';
import { download } from '../admin/actions/download/index.js';
import { promote } from '../admin/actions/promote/index.js';
import { addVersionAliases } from './hooks/add-version-aliases.js';
import { addPersonLabels } from './hooks/add-person-labels.js';
import { joinModelName } from './hooks/join-model-name.js';

export const modelVersionResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(ModelVersion, { joinedFields: joinModelName }),
  options: {
    id: 'modelVersions',
    navigation: Navigation.models,
    listProperties: ['version', 'accuracy', 'aliases', 'trainer', 'createdById', 'createdAt'],
    // No person filter: its drawer searches users, which a data scientist may not (a 403, audited as denied).
    filterProperties: ['modelId', 'version', 'trainer', 'createdAt'],
    showProperties: [
      'id',
      'modelId',
      'version',
      'aliases',
      'review',
      'sha256',
      'sizeBytes',
      'trainer',
      'hyperparameters',
      'trainingSnapshot',
      'metrics',
      'inputSchema',
      'outputSchema',
      'parentVersionId',
      'createdById',
      'createdAt',
      'history',
    ],
    editProperties: [],
    sort: { sortBy: 'createdAt', direction: 'desc' },
    properties: {
      ...historyLink,
      version: {
        isTitle: true,
        description: 'Version number within its model, counting from 1. Versions never change once created.',
        components: { list: Components.VersionName },
      },
      modelId: { reference: 'models', description: 'The model this version belongs to.' },
      sha256: { description: 'SHA-256 of the ONNX bytes: proves which exact artefact served a prediction.' },
      sizeBytes: { description: 'Size of the ONNX file in bytes.' },
      trainer: {
        description:
          'The training pipeline that produced this version (or "external-upload" for an uploaded ONNX file, whose name and producer are in the hyperparameters).',
      },
      hyperparameters: {
        components: { show: Components.SearchReport },
        description: 'Settings the trainer used (learning rate, regularisation, vocabulary size…).',
      },
      trainingSnapshot: {
        ...jsonShow,
        description: 'Which rows it was trained on: the filter, the row count and a hash of their content.',
      },
      metrics: {
        description:
          'Evaluation on the test split: accuracy, per-class precision/recall/F1, ROC-AUC, confusion matrix.',
        components: { show: Components.VersionMetrics },
      },
      inputSchema: {
        ...jsonShow,
        description: 'What the model expects as input (feature names and types, or raw text).',
      },
      outputSchema: { ...jsonShow, description: 'What the model returns: label and per-class probabilities.' },
      parentVersionId: { reference: 'modelVersions', description: 'The version this one was retrained from, if any.' },
      createdById: {
        reference: 'users',
        description: 'Who trained or uploaded this version ("system" for a scheduled retrain).',
        components: { list: Components.PersonEmail, show: Components.PersonEmail },
      },
      accuracy: {
        type: 'number',
        description: 'Accuracy on the test split when it was trained (— when it was not evaluated).',
        isSortable: false,
        components: { list: Components.VersionAccuracy },
        isVisible: { list: true, show: false, edit: false, filter: false },
      },
      aliases: {
        description: 'The aliases (production, staging…) that point at this version now.',
        isSortable: false,
        components: { list: Components.VersionAliases, show: Components.VersionAliases },
        isVisible: { list: true, show: true, edit: false, filter: false },
      },
      review: {
        description: "Review queues built from this version's predictions, and a new one.",
        components: { show: Components.ReviewQueueLinks },
        isVisible: { list: false, show: true, edit: false, filter: false },
      },
      onnx: { isVisible: false },
    },
    actions: withAccess('modelVersions', modelVersionAuditedFields, {
      list: { after: [addVersionAliases, addPersonLabels(['createdById'])] },
      show: { after: [addVersionAliases, addPersonLabels(['createdById'])] },
      promote,
      download,
    }),
  },
});
