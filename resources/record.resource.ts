import type { ResourceWithOptions } from 'adminjs';
import { DataRecord, recordAuditedFields } from '../models/data-record.js';
import { withAccess } from '../admin/access.js';
import { Navigation } from '../admin/navigation.js';
import { Components, historyLink } from '../admin/components.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import type { CustomFilters, FilterValue } from '../admin/adapter/custom-filters.js';
import type { JoinedFields, JoinedSort } from '../admin/adapter/joined-fields.js';
import { InvalidInput } from '../src/errors/domain-error.js';
import { Op, literal, type WhereOptions } from 'sequelize';
import { ModelVersion, RecordPrediction } from '../models/index.js';
import { predictionWhere } from '../src/records/prediction-where.js';
import {
  startsWithUncertain,
  uncertainPageIsComplete,
  UNCERTAIN_CONDITION,
  type UncertaintyColumn,
} from '../src/records/uncertain-predictions.js';
import { scoreRecordsAction, scoreMatchingAction } from '../admin/actions/batch-score/index.js';
import { bulkEdit, bulkEditMatching } from '../admin/actions/bulk-edit/index.js';
import { exportRecordsAction } from '../admin/actions/export-records/index.js';
import { restoreDeleted } from '../admin/actions/restore-records/index.js';
import { deletedRecordsAction } from '../admin/actions/deleted-record/index.js';
import { deleteNoticeInRecordsWords } from '../admin/record-delete-words.js';
import { recordHistoryAction } from '../admin/actions/record-history/index.js';
import { restoreVersionAction } from '../admin/actions/restore-version/index.js';
import { revertChangeSet } from '../admin/actions/revert-change-set/index.js';
import { editRecordAction, newRecordAction } from '../admin/actions/save-record/index.js';
import { recordFilterChoicesAction } from '../admin/actions/record-filter-choices/index.js';
import { rememberPageSizeAction } from '../admin/actions/list-page-size/index.js';

/**
 * Labels are values from the dataset's label set: matched exactly (the btree index answers at a
 * million rows); tags: records carrying the tag (GIN index). Text stays "contains" (trigram index).
 */
const range = (value: FilterValue) => (typeof value === 'object' ? value : { from: value });
const recordFilters: CustomFilters = {
  label: (value) => ({ label: String(value) }),
  tags: (value) => ({ tags: { [Op.contains]: [String(value)] } }),
  // The prediction lives in record_predictions: one rule for these filters (src/records/prediction-where.ts).
  predictedLabel: (value, walk) => predictionWhere({ predictedLabel: String(value) }, walk),
  scoredByVersionId: (value, walk) =>
    Number.isInteger(Number(value))
      ? predictionWhere({ modelVersionId: Number(value) }, walk)
      : { [Op.and]: [literal('FALSE')] },
  scoredAt: (value, walk) => {
    const { from, to } = range(value);
    return predictionWhere({ ...(from ? { scoredFrom: from } : {}), ...(to ? { scoredTo: to } : {}) }, walk);
  },
  scored: (value, walk) => predictionWhere({ scored: String(value) === 'true' }, walk),
  misclassified: (value, walk) => predictionWhere({ misclassified: String(value) === 'true' }, walk),
  score: (value, walk) => {
    const { from, to } = range(value);
    return predictionWhere(
      { ...(from ? { scoreFrom: Number(from) } : {}), ...(to ? { scoreTo: Number(to) } : {}) },
      walk,
    );
  },
  margin: (value, walk) => {
    const { from, to } = range(value);
    return predictionWhere(
      { ...(from ? { marginFrom: Number(from) } : {}), ...(to ? { marginTo: Number(to) } : {}) },
      walk,
    );
  },
  entropy: (value, walk) => {
    const { from, to } = range(value);
    return predictionWhere(
      { ...(from ? { entropyFrom: Number(from) } : {}), ...(to ? { entropyTo: Number(to) } : {}) },
      walk,
    );
  },
};

const versionJoin = { model: ModelVersion, as: 'modelVersion', attributes: ['id', 'outputSchema'] };

/**
 * "Least certain first" (margin ascending) and "highest entropy first" (entropy descending) within one
 * version: the page is read first from the uncertain predictions, down a partial index, and used when
 * proven complete (src/records/uncertain-predictions.ts); else the version's predictions are sorted.
 * Within one version only: two models' margins do not compare, and without a version Postgres would
 * sort every prediction.
 */
const byPrediction =
  (column: UncertaintyColumn): JoinedSort =>
  (direction, filters) => {
    const version = Number(filters.scoredByVersionId);
    if (typeof filters.scoredByVersionId !== 'string' || !Number.isSafeInteger(version) || version < 1) {
      throw new InvalidInput(
        'list.sort_by',
        `Sorting by ${column} needs one model version: choose "Scored by version" in the filter first (the ${column}s of two models do not compare).`,
        { sortBy: `${column} needs filters.scoredByVersionId` },
      );
    }
    const sql = direction === 'asc' ? 'ASC' : 'DESC';
    const prediction = (narrower: WhereOptions[]) => ({
      model: RecordPrediction,
      as: 'prediction',
      required: true,
      where: { [Op.and]: [{ modelVersionId: version }, { [column]: { [Op.ne]: null } }, ...narrower] },
      include: [versionJoin],
    });
    return {
      include: [prediction([])],
      // Ties (equal margins) in record order, so pages neither repeat nor skip a record.
      order: [
        [{ model: RecordPrediction, as: 'prediction' }, column, sql],
        [{ model: RecordPrediction, as: 'prediction' }, 'recordId', sql],
      ],
      ...(startsWithUncertain(column, sql)
        ? {
            first: {
              include: [prediction([literal(`"prediction".${UNCERTAIN_CONDITION}`)])],
              complete: (rows, limit) =>
                uncertainPageIsComplete(
                  column,
                  rows.map((row) => (row as DataRecord & { prediction: RecordPrediction }).prediction),
                  limit,
                ),
            },
          }
        : {}),
    };
  };

/** A record's list and show pages carry its latest prediction, with the probabilities named by label. */
const latestPrediction: JoinedFields = {
  include: [
    {
      model: RecordPrediction,
      as: 'prediction',
      required: false,
      include: [versionJoin],
    },
  ],
  sorts: { margin: byPrediction('margin'), entropy: byPrediction('entropy') },
  params(row) {
    const prediction = (row as DataRecord & { prediction?: RecordPrediction & { modelVersion?: ModelVersion } })
      .prediction;
    if (!prediction) return { scored: false };
    const labels = (prediction.modelVersion?.outputSchema as { labels?: string[] } | undefined)?.labels ?? [];
    return {
      scored: true,
      predictedLabel: prediction.predictedLabel,
      score: prediction.score,
      margin: prediction.margin,
      entropy: prediction.entropy,
      // Pairs, not an object keyed by label: AdminJS flattens keys on '.', so a label such as "v1.2" would split.
      probabilities: prediction.probabilities.map((probability, i) => ({
        label: labels[i] ?? `class ${i}`,
        probability,
      })),
      scoredByVersionId: prediction.modelVersionId,
      scoredAt: prediction.scoredAt,
      scoredByJobId: prediction.jobId,
    };
  },
};

export const recordResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(DataRecord, { customFilters: recordFilters, joinedFields: latestPrediction }),
  options: {
    id: 'records',
    navigation: Navigation.data,
    // One "Input" column for both tasks (the text, or a few features), so a text dataset's list and a
    // tabular one's each show what their records are, two lines at most.
    listProperties: ['id', 'input', 'label', 'predictedLabel', 'score', 'margin', 'split', 'datasetId'],
    filterProperties: [
      'datasetId',
      'text',
      'tags',
      'label',
      'predictedLabel',
      'misclassified',
      'score',
      'margin',
      'entropy',
      'split',
      'scored',
      'scoredByVersionId',
      'scoredAt',
      'createdAt',
      'updatedAt',
    ],
    showProperties: [
      'id',
      'datasetId',
      'text',
      'features',
      'label',
      'split',
      'tags',
      'source',
      'predictedLabel',
      'score',
      'margin',
      'entropy',
      'probabilities',
      'scoredByVersionId',
      'scoredAt',
      'scoredByJobId',
      'createdAt',
      'updatedAt',
      'history',
    ],
    editProperties: ['datasetId', 'text', 'features', 'label', 'split', 'tags', 'source'],
    sort: { sortBy: 'id', direction: 'desc' },
    properties: {
      ...historyLink,
      id: { ...historyLink.id, isTitle: true },
      history: {
        ...historyLink.history,
        description:
          'Every change to this record, newest first, field by field, with who made it and its audit event; restore it to any earlier version.',
        components: { show: Components.RecordChangeHistory },
      },
      datasetId: {
        reference: 'datasets',
        components: { list: Components.ReferenceCell },
        description: 'The dataset this record belongs to; its task decides whether text or features are used.',
      },
      text: {
        type: 'textarea',
        components: { show: Components.LongText },
        description:
          'Input exactly as a text model sees it (for text datasets). As a filter: records whose text contains these words, in any case.',
      },
      input: {
        type: 'string',
        isSortable: false,
        isVisible: { list: true, show: false, edit: false, filter: false },
        components: { list: Components.RecordInputCell },
        description:
          'What the model reads: the text of a text record, or the first features of a tabular one. Hover for all of it; "more" opens it in the row.',
      },
      features: {
        type: 'key-value',
        description:
          "Tabular input keyed by the dataset's feature names (e.g. body_mass_g = 3750, island = Dream); only the dataset's features, numbers for number features; an empty value means unknown.",
      },
      label: {
        components: { list: Components.LabelCell, filter: Components.ChoiceFilter, edit: Components.LabelSelect },
        custom: { choices: 'labels' },
        description:
          "The human (ground-truth) label; must be one of the dataset's labels. Used for training and evaluation.",
      },
      split: {
        description: 'train: used to fit models; test: used to measure them; holdout: kept back for a final check.',
      },
      tags: {
        components: { filter: Components.TextFilter },
        description:
          'Free-form markers for finding and grouping records (e.g. hard-ham, reviewed). As a filter: records carrying this tag.',
      },
      source: { description: 'Where this record came from (file, corpus id), for traceability.' },
      // The latest prediction (table record_predictions): written only by scoring jobs, never by editing.
      predictedLabel: {
        type: 'string',
        isSortable: false,
        components: { list: Components.LabelCell, filter: Components.ChoiceFilter },
        custom: { choices: 'labels' },
        description:
          'Label predicted by the model version below (latest scoring). Written only by scoring jobs ("Score with model…").',
      },
      score: {
        type: 'float',
        isSortable: false,
        components: { list: Components.ScoreCell, filter: Components.ScoreRangeFilter },
        description:
          'Probability (0–1) the model gave to the predicted label. As a filter: from and/or to, e.g. 0.4 to 0.6 for the unsure ones.',
      },
      // How sure the prediction was (src/ml/uncertainty.ts): sortable within one scored-by version.
      margin: {
        type: 'float',
        isSortable: true,
        components: { list: Components.ScoreCell, filter: Components.ScoreRangeFilter },
        description:
          'Probability of the predicted label minus the next most probable: 0 a tie, 1 certain. Sort ascending for "least certain first" (filter by "Scored by version" first). As a filter: from and/or to, e.g. to 0.1.',
      },
      entropy: {
        type: 'float',
        isSortable: true,
        components: { list: Components.ScoreCell, filter: Components.ScoreRangeFilter },
        custom: { max: 10 },
        description:
          'Entropy of the probabilities in nats: 0 certain, ln k (0.69 for two labels, 1.10 for three) when every label is equally likely. Sort descending for "highest entropy first" (filter by "Scored by version" first).',
      },
      misclassified: {
        type: 'boolean',
        isSortable: false,
        isVisible: { list: false, show: false, edit: false, filter: true },
        description:
          "Yes: the latest prediction differs from the record's label; No: it agrees. Unscored records match neither.",
      },
      probabilities: {
        isSortable: false,
        components: { show: Components.Probabilities },
        description: 'Probability per label from the same prediction, highest first.',
      },
      scored: {
        type: 'boolean',
        isSortable: false,
        isVisible: { list: false, show: false, edit: false, filter: true },
        description: 'Yes: records with a prediction; No: records never scored.',
      },
      scoredByVersionId: {
        reference: 'modelVersions',
        isSortable: false,
        // Chosen by name from the list's own choices: a reference filter would search model versions,
        // which content managers may not (each search refused and audited as denied).
        components: { filter: Components.ChoiceFilter },
        custom: { choices: 'versions' },
        description: 'The exact model version that made the prediction.',
      },
      scoredAt: {
        type: 'datetime',
        isSortable: false,
        description: 'When the prediction was made. A record edited after this time was scored on its earlier input.',
      },
      scoredByJobId: {
        reference: 'jobs',
        isSortable: false,
        description: 'The scoring job that wrote the prediction.',
      },
      deletedAt: { isVisible: false },
    },
    actions: withAccess('records', recordAuditedFields, {
      // Through the API's own service (src/records/save-record.ts): same rules, codes and audit.
      new: newRecordAction,
      edit: editRecordAction,
      bulkEdit: { ...bulkEdit, showInDrawer: true },
      bulkEditMatching: { ...bulkEditMatching, showInDrawer: true },
      export: exportRecordsAction,
      restoreDeleted,
      deleted: deletedRecordsAction,
      // A soft delete: the confirmation and the notice say so (admin/record-delete-words.ts).
      delete: { after: [deleteNoticeInRecordsWords] },
      // A change-set's preview and revert (from its audit event or job page), and the History panel's data and restore.
      revert: revertChangeSet,
      history: recordHistoryAction,
      restoreVersion: restoreVersionAction,
      scoreSelected: scoreRecordsAction,
      scoreMatching: { ...scoreMatchingAction, showInDrawer: true },
      filterChoices: recordFilterChoicesAction,
      rememberPageSize: rememberPageSizeAction,
    }),
  },
});
