import type { ResourceWithOptions } from 'adminjs';
import { Dataset, datasetAuditedFields } from '../models/dataset.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';
import { Components, historyLink, jsonShow } from '../admin/components.js';
import { datasetHubAction } from '../admin/actions/hubs/index.js';
import { train } from '../admin/actions/train/index.js';
import { importCsv } from '../admin/actions/import-csv/index.js';
import { datasetChartsAction } from '../admin/actions/charts/index.js';

export const datasetResource = (settings: { maxImportBytes: number }): ResourceWithOptions => ({
  resource: new ConsoleResource(Dataset),
  options: {
    id: 'datasets',
    navigation: Navigation.data,
    listProperties: ['id', 'name', 'task', 'labels', 'source', 'createdAt'],
    filterProperties: ['name', 'task', 'createdAt'],
    showProperties: [
      'name',
      'description',
      'task',
      'labels',
      'hub',
      'review',
      'id',
      'featureSchema',
      'source',
      'license',
      'createdAt',
      'updatedAt',
      'history',
    ],
    editProperties: ['name', 'description', 'task', 'labels', 'source', 'license'],
    sort: { sortBy: 'name', direction: 'asc' },
    properties: {
      ...historyLink,
      hub: {
        description: 'Records by label and split, models trained on the dataset, recent imports.',
        components: { show: Components.DatasetHub },
        isVisible: { list: false, show: true, edit: false, filter: false },
      },
      review: {
        description: 'Review queues over this dataset: records chosen by a model version, labelled one at a time.',
        components: { show: Components.ReviewQueueLinks },
        isVisible: { list: false, show: true, edit: false, filter: false },
      },
      name: {
        isTitle: true,
        description: 'Unique id used by the API and CLI: lower case letters, digits, "-" and "_" (e.g. spam-assassin).',
      },
      description: {
        type: 'textarea',
        description: 'What the data is and how it was collected, for the people who use it (free text).',
      },
      task: { description: 'What models trained on it do: classify free text, or classify rows of tabular features.' },
      labels: {
        description: 'The allowed label values, e.g. ham and spam. Record labels outside this set are rejected.',
        components: { list: Components.BadgeList, show: Components.BadgeList },
      },
      featureSchema: {
        ...jsonShow,
        description:
          'Tabular datasets only: a JSON array of features, each {"name": "lower_snake", "type": "number" | "category"}. Its order is the model input order.',
      },
      source: { description: 'Where the data came from, so anyone can trace it.' },
      license: { description: 'The licence the data is used under (e.g. CC0, public domain).' },
      createdAt: { ...historyLink.createdAt, isVisible: { list: true, show: true, edit: false, filter: true } },
      updatedAt: { ...historyLink.updatedAt, isVisible: { list: false, show: true, edit: false, filter: false } },
    },
    actions: withAccess('datasets', datasetAuditedFields, {
      train: train('datasets'),
      importCsv: importCsv(settings.maxImportBytes),
      charts: datasetChartsAction,
      hub: datasetHubAction,
    }),
  },
});
