import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import * as z from 'zod';
import { DataRecord, Dataset, MlModel, ModelVersion } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { recordFailure } from '../audit/with-audit.js';
import { Forbidden, InvalidInput, NotFound } from '../errors/domain-error.js';
import { registerVersion } from '../registry/register-version.js';
import { autoPromote, type PromotionDecision } from '../registry/auto-promote.js';
import { fitInThread } from './fit-in-thread.js';
import type { FitRow } from './fit-pipeline.js';
import { evaluate } from './metrics.js';
import type { ReviewedReport } from './reviewed/reviewed-report.js';
import {
  refuseTwoReviewedStarts,
  reviewedTrainRows,
  reviewedWindow,
  type ReviewedWindow,
} from './reviewed/reviewed-records.js';
import { splitReviewed } from './reviewed/reviewed-sample.js';
import { describeSearchStep } from './search/search-report.js';
import { DEFAULT_SOFTMAX_OPTIONS } from './softmax-regression.js';

/** A form's "yes" (checkbox "on", "true") or a JSON boolean; empty means no. */
const Flag = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  z.union([z.boolean(), z.enum(['true', 'on', 'false']).transform((v) => v !== 'false')]).optional(),
);

/** Hyperparameters and training filter a user may set, with the ranges the trainers are tested in. */
export const TrainInput = z.object({
  model: z.string().trim().min(1, 'name the model to train'),
  l2: z.coerce.number().min(0).max(1).optional(),
  /** L-BFGS iterations at most; a fit stopped by this cap is stored as not converged. */
  maxIterations: z.coerce.number().int().min(1).max(10_000).optional(),
  /** The former name of maxIterations (old forms, jobs, scripts); maxIterations wins when both are given. */
  maxEpochs: z.coerce.number().int().min(1).max(10_000).optional(),
  /** Ignored: the mini-batch learning rate of the former solver, still accepted so old scheduled jobs run. */
  learningRate: z.coerce.number().gt(0).max(1).optional(),
  minDf: z.coerce.number().int().min(1).max(1_000).optional(),
  maxFeatures: z.coerce.number().int().min(10).max(200_000).optional(),
  /** Training filter: only train rows edited (e.g. relabelled) at or after this time. */
  editedSince: z.coerce.date({ error: 'give a date, e.g. 2026-11-01 or 2026-11-01T12:00:00Z' }).optional(),
  /** Training filter: only train rows carrying this tag. */
  tag: z.string().trim().min(1).max(64).optional(),
  /**
   * Retrain with reviewed records: train rows labelled through a review queue of the dataset at or after
   * this time are trained on (whatever the other filters say) except a held-out sample, evaluated apart.
   */
  reviewedSince: z.coerce.date({ error: 'give a date, e.g. 2026-12-01 or 2026-12-01T12:00:00Z' }).optional(),
  /** As reviewedSince, from the creation of the model's latest version (the labels it never saw). */
  reviewedSinceVersion: Flag,
  /** Promote the new version to production if it beats production by the model's margin (scheduled runs always ask). */
  autoPromote: Flag,
  /** Choose l2 (and, for text, min df and vocabulary size) by 5-fold cross-validation on the train rows. */
  search: Flag,
  /** Hold out 15% of train and fit a temperature on it, folded into the exported weights (calibration/). */
  calibrate: Flag,
});
export type TrainInput = z.input<typeof TrainInput>;

export interface TrainResult {
  version: ModelVersion;
  accuracy: number | null;
  trainingRows: number;
  testRows: number;
  timings: Record<string, number>;
  promotion: PromotionDecision | null;
  /** With reviewedSince / reviewedSinceVersion: what it learned from and its metrics on the held-out reviewed rows. */
  reviewed: ReviewedReport | null;
}

export interface TrainHooks {
  /** Called at each step and after each solver iteration; a job uses it to report progress and to stop when cancelled (by throwing). */
  phase?: (name: string, done: number, total: number) => Promise<void>;
}

/**
 * Trains a new version of a model on its dataset's labelled `train` rows (optionally narrowed by the
 * filter), evaluates it on the `test` rows, and registers it (immutable, with metrics and a snapshot
 * of exactly which rows it saw). The fit runs in a worker thread: this process stays responsive.
 */
export async function trainModel(actor: Actor, raw: TrainInput, hooks: TrainHooks = {}): Promise<TrainResult> {
  const input = refuseL2WithSearch(parseInput(raw));
  const phase = hooks.phase ?? (async () => undefined);
  const model = await MlModel.findOne({ where: { name: input.model } });
  if (!model)
    throw new NotFound(
      'model.not_found',
      `No model named "${input.model}". Create it under Models first (or check the spelling).`,
    );
  if (decide(actor, 'models', 'train') !== true) {
    const error = new Forbidden(
      'model.train_forbidden',
      'Your role may not train models; ask a data scientist or an admin.',
    );
    await recordFailure(actor, { action: 'models.train', resource: 'models', recordIds: [model.id] }, error);
    throw error;
  }
  const dataset = (await Dataset.findByPk(model.datasetId))!;
  if (dataset.task !== model.task)
    throw new InvalidInput(
      'model.task_mismatch',
      `Model "${model.name}" is a ${model.task} model but its dataset "${dataset.name}" is ${dataset.task}.`,
    );

  const window = await reviewedWindow(model, input);
  await phase('loading rows', 0, 1);
  const reviewed = window ? splitReviewed(await reviewedTrainRows(dataset, window)) : null;
  const filter = {
    datasetId: dataset.id,
    split: 'train' as const,
    labelled: true,
    ...(input.editedSince ? { editedSince: input.editedSince.toISOString() } : {}),
    ...(input.tag ? { tag: input.tag } : {}),
    ...(window && reviewed ? reviewedFilter(window, reviewed.heldOut.length) : {}),
  };
  const filtered = await loadRows(dataset.id, 'train', input);
  const train = reviewed ? withReviewed(filtered, reviewed) : filtered;
  const test = await loadRows(dataset.id, 'test', {});
  if (train.length === 0) {
    throw new InvalidInput(
      'training.empty',
      `No labelled train rows match the filter ${describeFilter(filter)}: widen the filter or label more rows.`,
    );
  }
  const snapshot = { filter, rowCount: train.length, contentHash: contentHash(train) };
  const options = Object.fromEntries(
    Object.entries(input).filter(
      ([key, value]) =>
        ![
          'model',
          'editedSince',
          'tag',
          'reviewedSince',
          'reviewedSinceVersion',
          'autoPromote',
          'maxEpochs',
          'learningRate',
        ].includes(key) && value !== undefined,
    ),
  );

  await phase('training', 0, input.maxIterations ?? DEFAULT_SOFTMAX_OPTIONS.maxIterations);
  // The held-out reviewed rows are predicted after the test rows, in the same pass.
  const heldOut = reviewed?.heldOut ?? [];
  const fitted = await fitInThread(
    { task: dataset.task, schema: dataset.featureSchema, train, test: [...test, ...heldOut], options },
    (iteration, maxIterations) => phase('training', iteration, maxIterations),
    (step) =>
      phase(describeSearchStep(step), (step.candidate - 1) * step.folds + step.fold - 1, step.candidates * step.folds),
  );
  const { solver, iterations, maxIterations, converged, gradientNorm } = fitted.training;
  const { labels } = fitted;
  const probabilities = fitted.probabilities.subarray(0, test.length * labels.length);

  await phase('evaluating', 0, 1);
  const known = test.filter((r) => labels.includes(r.label));
  const metrics =
    known.length > 0
      ? evaluate(
          labels,
          known.map((r) => labels.indexOf(r.label)),
          subsetRows(probabilities, test, known, labels.length),
        )
      : { rows: 0, note: 'no labelled test rows' };
  if ('calibration' in metrics && fitted.temperature !== undefined)
    Object.assign(metrics.calibration, { temperature: fitted.temperature, heldOut: fitted.heldOut });
  const reviewedReport =
    window && reviewed
      ? reviewedMetrics(window, reviewed, labels, fitted.probabilities.subarray(test.length * labels.length))
      : null;
  await phase('registering', 0, 1);
  const parent = await ModelVersion.findOne({ where: { modelId: model.id }, order: [['version', 'DESC']] });
  const version = await registerVersion(actor, {
    modelId: model.id,
    onnx: fitted.onnx,
    trainer: fitted.trainer,
    hyperparameters: fitted.hyperparameters,
    inputSchema: fitted.inputSchema,
    outputSchema: {
      label: { type: 'string', shape: ['batch'] },
      probabilities: { type: 'float32', shape: ['batch', labels.length] },
      labels,
    },
    trainingSnapshot: snapshot,
    metrics: {
      ...metrics,
      evaluatedOn: { split: 'test', rows: known.length },
      training: { solver, iterations, maxIterations, converged, gradientNorm },
      ...(reviewedReport ? { reviewed: reviewedReport } : {}),
    },
    parentVersionId: parent?.id ?? null,
  });
  const promotion = input.autoPromote ? await autoPromote(actor, model, version) : null;
  return {
    version,
    accuracy: 'accuracy' in metrics ? metrics.accuracy : null,
    trainingRows: train.length,
    testRows: known.length,
    timings: fitted.timings,
    promotion,
    reviewed: reviewedReport,
  };
}

/** The snapshot's record of the reviewed window: when it starts and how many reviewed rows were held out. */
function reviewedFilter(window: ReviewedWindow, heldOut: number): Record<string, unknown> {
  return {
    reviewedSince: window.since.toISOString(),
    ...(window.sinceVersion !== undefined ? { reviewedSinceVersion: window.sinceVersion } : {}),
    reviewedHeldOut: heldOut,
  };
}

/**
 * The rows the filters chose plus the reviewed rows to learn from, less the held-out reviewed sample,
 * in id order: a retraining "with reviewed records" still learns from the rest of the train split.
 */
function withReviewed(filtered: readonly FitRow[], reviewed: { learnFrom: FitRow[]; heldOut: FitRow[] }): FitRow[] {
  const heldOut = new Set(reviewed.heldOut.map((row) => row.id));
  const rows = new Map(filtered.filter((row) => !heldOut.has(row.id)).map((row) => [row.id, row]));
  for (const row of reviewed.learnFrom) rows.set(row.id, row);
  return [...rows.values()].sort((a, b) => a.id - b.id);
}

/** evaluate() on the held-out reviewed rows whose label the new version knows. */
function reviewedMetrics(
  window: ReviewedWindow,
  reviewed: { learnFrom: FitRow[]; heldOut: FitRow[] },
  labels: string[],
  probabilities: Float64Array,
): ReviewedReport {
  const base = {
    since: window.since.toISOString(),
    ...(window.sinceVersion !== undefined ? { sinceVersion: window.sinceVersion } : {}),
    learnedFrom: reviewed.learnFrom.length,
    heldOut: reviewed.heldOut.length,
  };
  const known = reviewed.heldOut.filter((row) => labels.includes(row.label));
  if (known.length === 0)
    return {
      ...base,
      metrics: null,
      note:
        reviewed.heldOut.length === 0
          ? `none of the ${reviewed.learnFrom.length} reviewed record(s) fell in the held-out 20%: review more records to get numbers`
          : 'the held-out reviewed records carry labels the version never learned',
    };
  const unknown = reviewed.heldOut.length - known.length;
  return {
    ...base,
    metrics: evaluate(
      labels,
      known.map((row) => labels.indexOf(row.label)),
      subsetRows(probabilities, reviewed.heldOut, known, labels.length),
    ),
    ...(unknown > 0
      ? { note: `${unknown} held-out record(s) carry a label the version never learned: not evaluated` }
      : {}),
  };
}

/**
 * A train job's params from what someone asked for (a form, an API call): blanks dropped, validated
 * (ranges and types) before queueing, dates as ISO strings (job params are JSON).
 */
export function trainJobParams(model: string, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const present = Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== '' && value !== null && value !== undefined),
  );
  const parsed = refuseL2WithSearch(parseInput({ ...present, model }));
  refuseTwoReviewedStarts(parsed);
  return Object.fromEntries(
    Object.entries({
      ...parsed,
      editedSince: parsed.editedSince?.toISOString(),
      reviewedSince: parsed.reviewedSince?.toISOString(),
    }).filter(([, value]) => value !== undefined),
  );
}

/** The search chooses l2: giving one as well is a mistake to point out, not to settle silently. */
function refuseL2WithSearch<T extends { search?: boolean; l2?: number }>(input: T): T {
  if (input.search && input.l2 !== undefined)
    throw new InvalidInput(
      'training.invalid_input',
      'Check the training settings: l2: give either an L2 strength or the cross-validation search, not both (the search chooses L2).',
      { l2: 'give either an L2 strength or the cross-validation search, not both' },
    );
  return input;
}

function parseInput(raw: TrainInput): z.output<typeof TrainInput> {
  const parsed = TrainInput.safeParse(raw);
  if (parsed.success) {
    // One name from here on: maxEpochs is read as maxIterations; the ignored learning rate is dropped.
    const { maxEpochs, learningRate: _ignored, ...input } = parsed.data;
    return { ...input, maxIterations: input.maxIterations ?? maxEpochs };
  }
  const fields = Object.fromEntries(
    parsed.error.issues.map((issue) => [issue.path.join('.') || 'input', issue.message]),
  );
  throw new InvalidInput(
    'training.invalid_input',
    `Check the training settings: ${Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}.`,
    fields,
  );
}

async function loadRows(
  datasetId: number,
  split: 'train' | 'test',
  narrow: { editedSince?: Date; tag?: string },
): Promise<FitRow[]> {
  return DataRecord.findAll({
    where: {
      datasetId,
      split,
      label: { [Op.ne]: null },
      ...(narrow.editedSince ? { updatedAt: { [Op.gte]: narrow.editedSince } } : {}),
      ...(narrow.tag ? { tags: { [Op.contains]: [narrow.tag] } } : {}),
    },
    attributes: ['id', 'text', 'features', 'label'],
    order: [['id', 'ASC']],
    raw: true,
  }) as unknown as Promise<FitRow[]>;
}

function describeFilter(filter: Record<string, unknown>): string {
  return Object.entries(filter)
    .filter(([key]) => key !== 'datasetId')
    .map(([key, value]) => `${key} = ${String(value)}`)
    .join(', ');
}

/** sha256 over (id, label, input) of every training row in id order: proves which data a version saw. */
function contentHash(rows: readonly FitRow[]): string {
  const hash = createHash('sha256');
  for (const row of rows)
    hash.update(`${row.id}\u0000${row.label}\u0000${row.text ?? JSON.stringify(row.features)}\u0001`);
  return hash.digest('hex');
}

function subsetRows(
  probabilities: Float64Array,
  all: readonly FitRow[],
  keep: readonly FitRow[],
  k: number,
): Float64Array {
  if (keep.length === all.length) return probabilities;
  const wanted = new Set(keep);
  const out = new Float64Array(keep.length * k);
  let at = 0;
  all.forEach((row, i) => {
    if (wanted.has(row)) out.set(probabilities.subarray(i * k, i * k + k), at++ * k);
  });
  return out;
}
