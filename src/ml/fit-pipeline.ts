import type { DatasetTask, FeatureSpec } from '../../models/enums.js';
import { calibratedFit } from './calibration/calibrated-fit.js';
import { searchHyperparameters } from './search/search-hyperparameters.js';
import type { SearchListener, SearchReport } from './search/search-report.js';
import type { IterationListener, TrainingHistory } from './softmax-regression.js';
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
  /** How the fit went: iterations, whether it converged, the objective per iteration. */
  training: TrainingHistory;
  /** The cross-validation that chose the hyperparameters (options.search), also in hyperparameters.search. */
  search?: SearchReport;
  /** With `calibrate`: the temperature folded into the weights, and the held-out rows it was fitted on. */
  temperature?: number;
  heldOut?: { rows: number; logLossBefore: number; logLossAfter: number; kept?: string };
}

/**
 * Fits the pipeline for the dataset's task and predicts the test rows: all the CPU work of a training
 * run, with no I/O, so it can run in a worker thread (see fit-in-thread.ts). With `options.search`,
 * the hyperparameters are first chosen by cross-validation on the train rows (src/ml/search/).
 */
export function fitPipeline(request: FitRequest, onEpoch?: IterationListener, onSearch?: SearchListener): FitOutcome {
  // Calibration wraps everything else: the search (if asked) and the fit run on the ~85% it keeps.
  if (request.options.calibrate === true)
    return calibratedFit(
      request,
      (inner, listener?: IterationListener) => fitPipeline(inner, listener, onSearch),
      onEpoch,
    );
  const { search, ...given } = request.options;
  if (search !== true) return fitChosen({ ...request, options: given }, onEpoch);
  const { report, options } = searchHyperparameters({ ...request, options: given }, onSearch);
  const outcome = fitChosen({ ...request, options }, onEpoch);
  return {
    ...outcome,
    hyperparameters: { ...outcome.hyperparameters, C: report.chosen.C, search: report },
    search: report,
  };
}

function fitChosen(request: FitRequest, onIteration?: IterationListener): FitOutcome {
  const { options, train, test } = request;
  if (request.task === 'text-classification') {
    const trained = trainText(
      train.map((r) => ({ text: r.text ?? '', label: r.label })),
      options,
      onIteration,
    );
    return {
      trainer: trained.trainer,
      onnx: trained.onnx,
      labels: trained.labels,
      probabilities: trained.predict(test.map((r) => r.text ?? '')),
      hyperparameters: { ...options, ...trained.settings, vocabularySize: trained.vocabularySize },
      inputSchema: { name: 'text', type: 'string', shape: ['batch'], description: 'The raw text of each record.' },
      timings: trained.timings,
      training: trained.history,
    };
  }
  const schema = request.schema;
  const trained = trainTabular(
    schema,
    train.map((r) => ({ features: r.features ?? {}, label: r.label })),
    options,
    onIteration,
  );
  return {
    trainer: trained.trainer,
    onnx: trained.onnx,
    labels: trained.labels,
    probabilities: trained.predict(
      test.map((r, i) => encodeRow(r.features ?? {}, schema, `test row ${i + 1} (record ${r.id})`)),
    ),
    hyperparameters: { ...options, ...trained.settings },
    inputSchema: {
      name: 'features',
      type: 'float32',
      shape: ['batch', schema.length],
      features: schema,
      encoding: 'numbers as is; categories as their index; missing as NaN',
    },
    timings: trained.timings,
    training: trained.history,
  };
}
