import { Op, Sequelize, type WhereOptions } from 'sequelize';
import * as z from 'zod';
import { RecordSplit } from '../../models/enums.js';
import { containing } from '../db/containing.js';
import { predictionWhere, type IdWalk } from './prediction-where.js';

/** Most ids one request may name; larger selections are made with a filter. */
export const MAX_SELECTED_IDS = 10_000;

const optionalText = z.preprocess(
  (v) => (v === '' || v === null ? undefined : v),
  z.string().trim().min(1).max(200).optional(),
);

const optionalScore = z.preprocess(
  (v) => (v === '' || v === null ? undefined : v),
  z.coerce.number({ error: 'a number from 0 to 1' }).min(0).max(1).optional(),
);

/** "All records matching": the same criteria as the record list's filters (soft-deleted records never match). */
export const RecordFilter = z.object({
  datasetId: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number().int().positive().optional(),
  ),
  split: z.preprocess((v) => (v === '' || v === null ? undefined : v), RecordSplit.optional()),
  label: optionalText,
  predictedLabel: optionalText,
  tag: optionalText,
  text: optionalText,
  scoredByVersionId: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number().int().positive().optional(),
  ),
  /** true: the latest prediction differs from the label; false: it agrees. */
  misclassified: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v === 'true' ? true : v === 'false' ? false : v),
    z.boolean({ error: 'true or false' }).optional(),
  ),
  scoreFrom: optionalScore,
  scoreTo: optionalScore,
});
export type RecordFilter = z.infer<typeof RecordFilter>;

/** Which records a bulk operation acts on: the rows a user ticked, or everything matching a filter. */
export const RecordSelection = z.union([
  z.object({
    ids: z
      .array(z.coerce.number().int().positive())
      .min(1, 'select at least one record')
      .max(
        MAX_SELECTED_IDS,
        `select at most ${MAX_SELECTED_IDS.toLocaleString('en')} records, or use "all matching the filter"`,
      ),
  }),
  z.object({ filter: RecordFilter }),
]);
export type RecordSelection = z.infer<typeof RecordSelection>;

/** `walk`: as the list walks the records (src/records/prediction-where.ts); selections walk ids newest first. */
export function selectionWhere(selection: RecordSelection, walk: IdWalk = 'down'): WhereOptions {
  if ('ids' in selection) return { id: { [Op.in]: selection.ids } };
  const { datasetId, split, label, predictedLabel, tag, text, scoredByVersionId, misclassified, scoreFrom, scoreTo } =
    selection.filter;
  const prediction = { predictedLabel, modelVersionId: scoredByVersionId, misclassified, scoreFrom, scoreTo };
  return {
    ...(datasetId ? { datasetId } : {}),
    ...(split ? { split } : {}),
    ...(label ? { label } : {}),
    ...(tag ? { tags: { [Op.contains]: [tag] } } : {}),
    [Op.and]: [
      ...(Object.values(prediction).some((v) => v !== undefined) ? [predictionWhere(prediction, walk)] : []),
      ...(text ? [Sequelize.where(Sequelize.col('text'), containing(text))] : []),
    ],
  };
}

/** What the audit log records about a selection: the ids (capped) or the filter. */
export function describeSelection(selection: RecordSelection): Record<string, unknown> {
  return 'ids' in selection
    ? { ids: selection.ids.length }
    : { filter: Object.fromEntries(Object.entries(selection.filter).filter(([, v]) => v !== undefined)) };
}
