import type { ResourceWithOptions } from 'adminjs';
import { Job } from '../models/job.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';
import { cancel } from '../admin/actions/cancel/index.js';
import { Components, historyLink, jsonShow } from '../admin/components.js';

export const jobResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(Job),
  options: {
    id: 'jobs',
    navigation: Navigation.operations,
    listProperties: ['id', 'kind', 'status', 'progressDone', 'progressTotal', 'createdById', 'createdAt', 'finishedAt'],
    filterProperties: ['kind', 'status', 'createdById', 'createdAt'],
    showProperties: [
      'id',
      'kind',
      'status',
      'progressDone',
      'params',
      'result',
      'error',
      'attempts',
      'createdById',
      'createdAt',
      'startedAt',
      'finishedAt',
      'history',
    ],
    editProperties: [],
    sort: { sortBy: 'createdAt', direction: 'desc' },
    properties: {
      ...historyLink,
      kind: { description: 'train, score, import, export or evaluate.' },
      status: {
        components: { list: Components.StatusBadgeCell },
        description: 'queued → running → succeeded, failed or cancelled.',
      },
      params: { ...jsonShow, description: 'What the job was asked to do (model, selection, options).' },
      progressDone: {
        description: 'Rows (or steps) finished so far; updates live while the job runs.',
        components: { show: Components.JobProgress },
      },
      phase: { description: 'What the job is doing now.' },
      progressTotal: { description: 'Rows (or steps) in total, when known.' },
      result: {
        ...jsonShow,
        description: 'Summary written when the job finishes (counts, metrics, per-row problems).',
      },
      error: { description: 'Why the job failed, when it did.' },
      attempts: { description: "How many times a worker has started it; a crashed worker's job is retried." },
      createdById: {
        reference: 'users',
        description: 'Who started the job (empty for the system, e.g. a scheduled retrain).',
      },
      startedAt: { description: 'When a worker first picked the job up.' },
      createdAt: { ...historyLink.createdAt, components: { list: Components.TextCell } },
      finishedAt: {
        components: { list: Components.TextCell },
        description: 'When the job succeeded, failed or was cancelled.',
      },
      runAfter: { description: 'The job waits in the queue until this time (retries back off).' },
      maxAttempts: { description: 'How many times the job is tried before it is marked failed.' },
      cancelRequested: { description: 'Someone asked to cancel; the worker stops at its next checkpoint.' },
      queueJobId: { description: 'The id of this job in the pg-boss queue (for operators reading the queue tables).' },
      checkpoint: { isVisible: false },
      lockedBy: { isVisible: false },
      heartbeatAt: { isVisible: false },
    },
    actions: withAccess('jobs', [], { cancel }),
  },
});
