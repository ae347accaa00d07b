import type { DatasetTask, FeatureSpec } from '../../models/enums.js';
import { calibratedFit } from './calibration/calibrated-fit.js';
import type { EpochListener } from './softmax-regression.js';
import { encodeRow } from './tabular/tabular-encoder.js';
import { trainTabular } from './tabular/train-tabular.js';
import { trainText } from './text/train-text.js';

/** One labelled row as the trainers see it (text or features, by the dataset's task). */
export interface FitRow {
  id: number;
  text: string | null;
  features: Record<string, unknown> | null;
  label: string;
}

export interface FitRequest {
  task: DatasetTask;
  /** The dataset's feature schema (tabular). */
  schema: FeatureSpec[];
  train: FitRow[];
  /** Rows to predict after the fit (the test split), so the caller can evaluate. */
  test: FitRow[];
  options: Record<string, unknown>;
}

export interface FitOutcome {
  trainer: string;
  onnx: Uint8Array;
  labels: string[];
  /** test.length × labels.length, row-major, from the TypeScript forward pass. */
  probabilities: Float64Array;
  hyperparameters: Record<string, unknown>;
  inputSchema: Record<string, unknown>;
  timings: Record<string, number>;
  /** With `calibrate`: the temperature folded into the weights, and the held-out rows it was fitted on. */
  temperature?: number;
  heldOut?: { rows: number; logLossBefore: number; logLossAfter: number; kept?: string };
}

/**
 * Fits the pipeline for the dataset's task and predicts the test rows: all the CPU work of a training
 * run, with no I/O, so it can run in a worker thread (see fit-in-thread.ts).
 */
export function fitPipeline(request: FitRequest, onEpoch?: EpochListener): FitOutcome {
  if (request.options.calibrate === true) return calibratedFit(request, fitPipeline, onEpoch);
  const { options, train, test } = request;
  if (request.task === 'text-classification') {
    const trained = trainText(
      train.map((r) => ({ text: r.text ?? '', label: r.label })),
      options,
      onEpoch,
    );
    return {
      trainer: trained.trainer,
      onnx: trained.onnx,
      labels: trained.labels,
      probabilities: trained.predict(test.map((r) => r.text ?? '')),
      hyperparameters: {
        ...options,
        vocabularySize: trained.vocabularySize,
        epochs: trained.history.epochs,
        bestEpoch: trained.history.bestEpoch,
      },
      inputSchema: { name: 'text', type: 'string', shape: ['batch'], description: 'The raw text of each record.' },
      timings: trained.timings,
    };
  }
  const schema = request.schema;
  const trained = trainTabular(
    schema,
    train.map((r) => ({ features: r.features ?? {}, label: r.label })),
    options,
    onEpoch,
  );
  return {
    trainer: trained.trainer,
    onnx: trained.onnx,
    labels: trained.labels,
    probabilities: trained.predict(
      test.map((r, i) => encodeRow(r.features ?? {}, schema, `test row ${i + 1} (record ${r.id})`)),
    ),
    hyperparameters: { ...options, epochs: trained.history.epochs, bestEpoch: trained.history.bestEpoch },
    inputSchema: {
      name: 'features',
      type: 'float32',
      shape: ['batch', schema.length],
      features: schema,
      encoding: 'numbers as is; categories as their index; missing as NaN',
    },
    timings: trained.timings,
  };
}
