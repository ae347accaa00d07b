import type { ResourceWithOptions } from 'adminjs';
import { InferenceStat } from '../models/inference-stat.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';

export const inferenceStatResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(InferenceStat),
  options: {
    id: 'inferenceStats',
    navigation: Navigation.operations,
    listProperties: ['bucket', 'modelVersionId', 'count', 'errors', 'latencySumMs'],
    filterProperties: ['bucket', 'modelVersionId'],
    editProperties: [],
    sort: { sortBy: 'bucket', direction: 'desc' },
    properties: {
      bucket: { description: 'The minute these counters cover (UTC).' },
      modelVersionId: {
        reference: 'modelVersions',
        description: 'The exact model version that answered these predictions.',
      },
      count: { description: 'Predictions served in that minute.' },
      errors: { description: 'Requests that failed (bad input or model error).' },
      latencySumMs: { description: 'Total inference time; divide by count for the mean.' },
      latencyBuckets: { description: 'Histogram counts per latency bucket (bounds listed in the API docs).' },
    },
    actions: withAccess('inferenceStats', []),
  },
});
