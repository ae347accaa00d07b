import type { ResourceWithOptions } from 'adminjs';
import { ReviewQueue, reviewQueueAuditedFields } from '../models/review-queue.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';
import { Components, historyLink, jsonShow } from '../admin/components.js';
import {
  addQueueProgress,
  closeReviewQueueAction,
  createReviewQueueAction,
} from '../admin/actions/review-queues/index.js';
import { labelQueue, secondReviewQueue } from '../admin/actions/label-queue/index.js';
import { addPersonLabels } from './hooks/add-person-labels.js';

/** Review queues: records chosen by a strategy over a version's predictions, for people to label. */
export const reviewQueueResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(ReviewQueue),
  options: {
    id: 'reviewQueues',
    navigation: Navigation.data,
    listProperties: ['id', 'name', 'strategy', 'status', 'size', 'datasetId', 'modelVersionId', 'createdAt'],
    filterProperties: ['datasetId', 'modelVersionId', 'strategy', 'status', 'createdAt'],
    showProperties: [
      'name',
      'progress',
      'status',
      'strategy',
      'size',
      'datasetId',
      'modelVersionId',
      'compareVersionId',
      'filter',
      'secondReview',
      'jobId',
      'createdById',
      'id',
      'createdAt',
      'updatedAt',
      'history',
    ],
    editProperties: [],
    sort: { sortBy: 'createdAt', direction: 'desc' },
    properties: {
      ...historyLink,
      name: {
        isTitle: true,
        description: 'What the queue is for; by default the strategy, the version and the filter.',
      },
      progress: {
        description: 'Items labelled, skipped and to go; per label, how often a second reviewer accepted it.',
        components: { show: Components.ReviewQueueProgress },
        isVisible: { list: false, show: true, edit: false, filter: false },
      },
      status: {
        components: { list: Components.StatusBadgeCell },
        description: 'building (its job is choosing the records) → open → closed; failed when the job failed.',
      },
      strategy: {
        description:
          'least_margin: top two labels closest; highest_entropy: probability spread widest; misclassified: label ≠ prediction, most confident first; disagreement: two versions differ, most apart first; random: a seeded control sample; drift: a drifted slice by least margin.',
      },
      size: { description: 'Items in the queue (near-duplicates already dropped).' },
      datasetId: { reference: 'datasets', description: 'The dataset whose records are reviewed.' },
      modelVersionId: { reference: 'modelVersions', description: 'The version whose predictions chose the records.' },
      compareVersionId: {
        reference: 'modelVersions',
        description: 'Disagreement only: the version compared with.',
      },
      filter: {
        ...jsonShow,
        description: 'Restrictions (split, tag, label, drift slice) and near-duplicate dropping (exact or TF-IDF).',
      },
      secondReview: { description: 'Each label is accepted or rejected by a second reviewer.' },
      jobId: { reference: 'jobs', description: 'The job that chose the records.' },
      createdById: {
        reference: 'users',
        description: 'Who built the queue.',
        components: { list: Components.PersonEmail, show: Components.PersonEmail },
      },
      createdAt: { ...historyLink.createdAt, components: { list: Components.TextCell } },
    },
    actions: withAccess('reviewQueues', reviewQueueAuditedFields, {
      list: { after: [addPersonLabels(['createdById'])] },
      show: { after: [addQueueProgress, addPersonLabels(['createdById'])] },
      create: createReviewQueueAction,
      close: closeReviewQueueAction,
      label: labelQueue,
      secondReview: secondReviewQueue,
    }),
  },
});
