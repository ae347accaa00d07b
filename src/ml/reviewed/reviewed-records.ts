import { QueryTypes } from 'sequelize';
import { DataRecord, ModelVersion, sequelizeOf, type Dataset, type MlModel } from '../../../models/index.js';
import { InvalidInput } from '../../errors/domain-error.js';
import type { FitRow } from '../fit-pipeline.js';
import { describeSince } from './reviewed-report.js';

/** Where "reviewed" starts: a date given, or the creation of the model's latest version. */
export interface ReviewedWindow {
  since: Date;
  sinceVersion?: number;
}

/** A date and "since the latest version" are two starts: one must be chosen, not settled silently. */
export function refuseTwoReviewedStarts(asked: { reviewedSince?: unknown; reviewedSinceVersion?: boolean }): void {
  if (asked.reviewedSince !== undefined && asked.reviewedSinceVersion === true)
    throw new InvalidInput(
      'training.invalid_input',
      'Check the training settings: reviewedSince: give either a date or "since the latest version", not both.',
      { reviewedSince: 'give either a date or "since the latest version", not both' },
    );
}

/**
 * The window a training asked for, or null. "Since the latest version" is read when the training runs,
 * so a queued job counts the labels set up to the version it is about to follow.
 */
export async function reviewedWindow(
  model: MlModel,
  asked: { reviewedSince?: Date; reviewedSinceVersion?: boolean },
): Promise<ReviewedWindow | null> {
  refuseTwoReviewedStarts(asked);
  if (asked.reviewedSince) return { since: asked.reviewedSince };
  if (!asked.reviewedSinceVersion) return null;
  const latest = await ModelVersion.findOne({
    where: { modelId: model.id },
    attributes: ['version', 'createdAt'],
    order: [['version', 'DESC']],
  });
  if (!latest)
    throw new InvalidInput(
      'training.no_version',
      `Model "${model.name}" has no version yet, so "reviewed since the latest version" has no start: give a date instead (e.g. 2026-12-01).`,
    );
  return { since: latest.createdAt, sinceVersion: latest.version };
}

/**
 * The dataset's labelled train rows whose label was set through any of its review queues (a
 * `review_items` row in state `labelled`) at or after `since`, in id order, with their current label.
 * Reviewed records of the test and holdout splits stay where they are: training never reads them.
 * Refuses, saying what to do, when there is no such row.
 */
export async function reviewedTrainRows(dataset: Dataset, window: ReviewedWindow): Promise<FitRow[]> {
  const reviewed = await sequelizeOf().query<{ id: number; split: string }>(
    `SELECT r.id, r.split
       FROM records r
      WHERE r.id IN (SELECT i.record_id
                       FROM review_items i JOIN review_queues q ON q.id = i.queue_id
                      WHERE q.dataset_id = :datasetId AND i.state = 'labelled' AND i.labelled_at >= :since)
        AND r.dataset_id = :datasetId AND r.deleted_at IS NULL AND r.label IS NOT NULL
      ORDER BY r.id`,
    { replacements: { datasetId: dataset.id, since: window.since }, type: QueryTypes.SELECT },
  );
  const since = describeSince({ since: window.since.toISOString(), sinceVersion: window.sinceVersion });
  if (reviewed.length === 0)
    throw new InvalidInput(
      'training.no_reviewed',
      `No record of dataset "${dataset.name}" was labelled through a review queue ${since}: label records in a review queue first (Review, on the dataset's or the version's page), or give an earlier date.`,
    );
  const trainIds = reviewed.filter((r) => r.split === 'train').map((r) => Number(r.id));
  if (trainIds.length === 0)
    throw new InvalidInput(
      'training.no_reviewed',
      `The ${reviewed.length} record(s) of dataset "${dataset.name}" labelled through a review queue ${since} are all in the test or holdout split, which training never reads: review train records, or move these to the train split.`,
    );
  return DataRecord.findAll({
    where: { id: trainIds },
    attributes: ['id', 'text', 'features', 'label'],
    order: [['id', 'ASC']],
    raw: true,
  }) as unknown as Promise<FitRow[]>;
}
