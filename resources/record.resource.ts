import type { ResourceWithOptions } from 'adminjs';
import { DataRecord, recordAuditedFields } from '../models/data-record.js';
import { withAccess } from '../admin/access.js';
import { Navigation } from '../admin/navigation.js';
import { historyLink } from '../admin/components.js';
import { addCustomFilters } from '../admin/filters/console-resource.js';
import { Op } from 'sequelize';
import { limitRecordEditsByRole } from './hooks/limit-record-edits-by-role.js';
import { bulkEdit, bulkEditMatching } from '../admin/actions/bulk-edit/index.js';
import { exportRecordsAction } from '../admin/actions/export-records/index.js';
import { restoreDeleted } from '../admin/actions/restore-records/index.js';

/**
 * Labels are values from the dataset's label set: matched exactly (the btree index answers at a
 * million rows); tags: records carrying the tag (GIN index). Text stays "contains" (trigram index).
 */
addCustomFilters(DataRecord, {
  label: (value) => ({ label: value }),
  predictedLabel: (value) => ({ predictedLabel: value }),
  tags: (value) => ({ tags: { [Op.contains]: [value] } }),
});

export const recordResource = (): ResourceWithOptions => ({
  resource: DataRecord,
  options: {
    id: 'records',
    navigation: Navigation.data,
    listProperties: ['id', 'datasetId', 'text', 'label', 'predictedLabel', 'score', 'split', 'scoredAt'],
    filterProperties: ['datasetId', 'label', 'predictedLabel', 'split', 'tags', 'scoredByVersionId', 'scoredAt', 'createdAt', 'updatedAt'],
    showProperties: [
      'id', 'datasetId', 'text', 'features', 'label', 'split', 'tags', 'source',
      'predictedLabel', 'score', 'probabilities', 'scoredByVersionId', 'scoredAt', 'createdAt', 'updatedAt', 'history'],
    editProperties: ['datasetId', 'text', 'features', 'label', 'split', 'tags', 'source'],
    sort: { sortBy: 'id', direction: 'desc' },
    properties: {
      ...historyLink,
      id: { isTitle: true },
      datasetId: { reference: 'datasets', description: 'The dataset this record belongs to; its task decides whether text or features are used.' },
      text: { type: 'textarea', description: 'Input exactly as a text model sees it (for text datasets).' },
      features: {
        type: 'key-value',
        description: 'Tabular input as a JSON object keyed by the dataset\'s feature names, e.g. {"body_mass_g": 3750, "island": "Dream"}.',
      },
      label: { description: 'The human (ground-truth) label; must be one of the dataset\'s labels. Used for training and evaluation.' },
      split: { description: 'train: used to fit models; test: used to measure them; holdout: kept back for a final check.' },
      tags: { description: 'Free-form markers for finding and grouping records (e.g. hard-ham, reviewed).' },
      source: { description: 'Where this record came from (file, corpus id), for traceability.' },
      predictedLabel: { description: 'Label predicted by the model version below. Written only by scoring jobs.' },
      score: { description: 'Probability (0–1) the model gave to the predicted label.' },
      probabilities: { type: 'key-value', description: 'Probability per label from the same prediction.' },
      scoredByVersionId: { reference: 'modelVersions', description: 'The exact model version that made the prediction.' },
      scoredAt: { description: 'When the prediction was made.' },
      deletedAt: { isVisible: false },
    },
    actions: withAccess('records', recordAuditedFields, {
      edit: { before: [limitRecordEditsByRole] },
      bulkEdit,
      bulkEditMatching: { ...bulkEditMatching, showInDrawer: true },
      export: exportRecordsAction,
      restoreDeleted,
    }),
  },
});
