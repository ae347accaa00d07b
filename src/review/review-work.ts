import { QueryTypes, type Transaction } from 'sequelize';
import * as z from 'zod';
import { sequelizeOf } from '../../models/index.js';
import { ITEM_STATE_COUNTS } from './queue-progress.js';
import type { ReviewQueueRow } from './review-queue-access.js';

export const ReviewProgress = z
  .object({
    total: z.number().int(),
    pending: z.number().int(),
    labelled: z.number().int(),
    skipped: z.number().int(),
    reviewed: z.number().int().meta({ description: 'Labels accepted or rejected by a second reviewer.' }),
    labelledByYou: z.number().int(),
    lastLabelledByYou: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Position of your most recent label that can still be undone (not yet reviewed).' }),
  })
  .meta({ id: 'ReviewProgress' });
export type ReviewProgress = z.infer<typeof ReviewProgress>;

export const ReviewItemView = z
  .object({
    position: z.number().int(),
    recordId: z.number().int(),
    priority: z.number().nullable().meta({ description: "The strategy's value for this record (margin, entropy, …)." }),
    state: z.enum(['pending', 'labelled', 'skipped']),
    claimExpiresAt: z.string().nullable(),
    label: z
      .string()
      .nullable()
      .meta({ description: 'The label set through the queue (second review: the one to judge).' }),
    labelledByYou: z.boolean(),
    record: z.object({
      text: z.string().nullable(),
      features: z.record(z.string(), z.unknown()).nullable(),
      label: z.string().nullable().meta({ description: "The record's current label." }),
      split: z.string(),
    }),
    prediction: z
      .object({
        predictedLabel: z.string(),
        margin: z.number().nullable(),
        probabilities: z.array(z.object({ label: z.string(), probability: z.number() })),
      })
      .nullable()
      .meta({ description: "The queue's model version's latest prediction for the record, if it scored it." }),
  })
  .meta({ id: 'ReviewItem' });
export type ReviewItemView = z.infer<typeof ReviewItemView>;

export const ReviewWork = z
  .object({
    queue: z.object({
      id: z.number().int(),
      name: z.string(),
      strategy: z.string(),
      secondReview: z.boolean(),
      labels: z.array(z.string()).meta({ description: 'The labels to choose from, in button order (keys 1–9).' }),
    }),
    mode: z.enum(['label', 'review']),
    item: ReviewItemView.nullable().meta({ description: 'The item you now hold; null when nothing is left for you.' }),
    progress: ReviewProgress,
  })
  .meta({ id: 'ReviewWork', description: 'The item a reviewer holds, with everything the labeling page shows.' });
export type ReviewWork = z.infer<typeof ReviewWork>;

/** The queue's counts, and the reviewer's own. */
export async function progressOf(
  queueId: number,
  reviewer: number,
  transaction?: Transaction,
): Promise<ReviewProgress> {
  const [row] = await sequelizeOf().query<Record<keyof ReviewProgress, string | null>>(
    `SELECT ${ITEM_STATE_COUNTS},
            count(*) FILTER (WHERE labelled_by = :reviewer AND state = 'labelled') AS "labelledByYou",
            (SELECT position FROM review_items
              WHERE queue_id = :queueId AND state = 'labelled' AND labelled_by = :reviewer AND review_verdict IS NULL
              ORDER BY labelled_at DESC, position DESC LIMIT 1) AS "lastLabelledByYou"
       FROM review_items WHERE queue_id = :queueId`,
    { replacements: { queueId, reviewer }, type: QueryTypes.SELECT, ...(transaction ? { transaction } : {}) },
  );
  return {
    total: Number(row!.total),
    pending: Number(row!.pending),
    labelled: Number(row!.labelled),
    skipped: Number(row!.skipped),
    reviewed: Number(row!.reviewed),
    labelledByYou: Number(row!.labelledByYou),
    lastLabelledByYou: row!.lastLabelledByYou === null ? null : Number(row!.lastLabelledByYou),
  };
}

/** The labels a reviewer picks from: the dataset's label set, else the version's output labels. */
export async function labelsOf(queue: ReviewQueueRow, transaction?: Transaction): Promise<string[]> {
  const [row] = await sequelizeOf().query<{ dataset: string[]; version: string[] | null }>(
    `SELECT d.labels AS dataset,
            (SELECT array_agg(l ORDER BY i) FROM jsonb_array_elements_text(v.output_schema -> 'labels') WITH ORDINALITY AS t(l, i)) AS version
       FROM datasets d LEFT JOIN model_versions v ON v.id = :versionId WHERE d.id = :datasetId`,
    {
      replacements: { datasetId: queue.datasetId, versionId: queue.modelVersionId },
      type: QueryTypes.SELECT,
      ...(transaction ? { transaction } : {}),
    },
  );
  return row && row.dataset.length > 0 ? row.dataset : (row?.version ?? []);
}

interface ItemRow {
  position: number;
  recordId: number;
  priority: number | null;
  state: ReviewItemView['state'];
  claimExpiresAt: Date | null;
  label: string | null;
  labelledBy: number | null;
  text: string | null;
  features: Record<string, unknown> | null;
  recordLabel: string | null;
  split: string;
  predictedLabel: string | null;
  margin: number | null;
  probabilities: number[] | null;
  versionLabels: string[] | null;
}

/** One item as the labeling page shows it: the record, its current label and the queue version's prediction. */
export async function itemView(
  queue: ReviewQueueRow,
  position: number,
  reviewer: number,
  transaction?: Transaction,
): Promise<ReviewItemView | null> {
  const [row] = await sequelizeOf().query<ItemRow>(
    `SELECT i.position, i.record_id::int AS "recordId", i.priority, i.state, i.claim_expires_at AS "claimExpiresAt",
            i.label, i.labelled_by AS "labelledBy", r.text, r.features, r.label AS "recordLabel", r.split,
            p.predicted_label AS "predictedLabel", p.margin, p.probabilities,
            (SELECT array_agg(l ORDER BY n) FROM jsonb_array_elements_text(v.output_schema -> 'labels') WITH ORDINALITY AS t(l, n)) AS "versionLabels"
       FROM review_items i
       JOIN records r ON r.id = i.record_id AND r.deleted_at IS NULL
       LEFT JOIN record_predictions p ON p.record_id = i.record_id AND p.model_version_id = :versionId
       LEFT JOIN model_versions v ON v.id = p.model_version_id
      WHERE i.queue_id = :queueId AND i.position = :position`,
    {
      replacements: { queueId: queue.id, position, versionId: queue.modelVersionId },
      type: QueryTypes.SELECT,
      ...(transaction ? { transaction } : {}),
    },
  );
  if (!row) return null;
  const versionLabels = row.versionLabels ?? [];
  return {
    position: row.position,
    recordId: row.recordId,
    priority: row.priority,
    state: row.state,
    claimExpiresAt: row.claimExpiresAt ? new Date(row.claimExpiresAt).toISOString() : null,
    label: row.label,
    labelledByYou: row.labelledBy === reviewer,
    record: { text: row.text, features: row.features, label: row.recordLabel, split: row.split },
    prediction:
      row.predictedLabel === null || row.probabilities === null
        ? null
        : {
            predictedLabel: row.predictedLabel,
            margin: row.margin,
            probabilities: row.probabilities
              .map((probability, i) => ({ label: versionLabels[i] ?? `#${i + 1}`, probability }))
              .sort((a, b) => b.probability - a.probability),
          },
  };
}

/** The whole answer of a claim (or of the work after a label, skip or undo). */
export async function workOf(
  queue: ReviewQueueRow,
  mode: ReviewWork['mode'],
  position: number | null,
  reviewer: number,
  transaction?: Transaction,
): Promise<ReviewWork> {
  // One after another: queries in one transaction share its connection anyway.
  const labels = await labelsOf(queue, transaction);
  const item = position === null ? null : await itemView(queue, position, reviewer, transaction);
  const progress = await progressOf(queue.id, reviewer, transaction);
  return {
    queue: { id: queue.id, name: queue.name, strategy: queue.strategy, secondReview: queue.secondReview, labels },
    mode,
    item,
    progress,
  };
}
