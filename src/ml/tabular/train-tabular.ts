import type { FeatureSpec } from '../../../models/enums.js';
import { InvalidInput } from '../../errors/domain-error.js';
import {
  DEFAULT_SOFTMAX_OPTIONS,
  predictProbabilities,
  trainSoftmax,
  type IterationListener,
  type SoftmaxOptions,
  type TrainingHistory,
} from '../softmax-regression.js';
import { exportTabularOnnx } from './export-tabular-onnx.js';
import { encodeMatrix, encodeRow, fitStandardiser } from './tabular-encoder.js';
import { indexLabels } from '../class-labels.js';

export const TABULAR_TRAINER = 'tabular-softmax-regression@1';

/**
 * Tabular defaults (no search): standardised features, few of them, so a light penalty fits best.
 * l2 = 3e-5 is scikit-learn's C ≈ 120 on the 280 penguins of the demo (its 5-fold CV picks C = 300,
 * C = 1 is l2 = 3.6e-3 there and 0.026 worse in log loss) and is negligible at 100,000 rows. See
 * test/reference/sklearn-reference.json; `search` chooses l2 per dataset instead.
 */
export const TABULAR_DEFAULTS: Pick<SoftmaxOptions, 'l2'> = { l2: 3e-5 };

export interface TabularExample {
  features: Readonly<Record<string, unknown>>;
  label: string;
}

export interface TrainedTabular {
  trainer: typeof TABULAR_TRAINER;
  labels: string[];
  onnx: Uint8Array;
  history: TrainingHistory;
  /** The settings the fit used (defaults filled in; no warm start). */
  settings: Omit<SoftmaxOptions, 'initial'>;
  timings: { prepareMs: number; fitMs: number; exportMs: number };
  /** The TypeScript forward pass the ONNX graph must agree with: encoded rows → probabilities. */
  predict(rows: readonly Float64Array[]): Float64Array;
}

/** Standardisation + one-hot + softmax regression, exported as one ONNX graph on the raw float row. */
export function trainTabular(
  schema: readonly FeatureSpec[],
  examples: readonly TabularExample[],
  options: Partial<SoftmaxOptions> = {},
  onIteration?: IterationListener,
): TrainedTabular {
  if (schema.length === 0)
    throw new InvalidInput(
      'training.no_features',
      'The dataset has no feature schema: define its features before training a tabular model.',
    );
  const started = performance.now();
  const { labels, y } = indexLabels(examples);
  const raw = examples.map((e, i) => encodeRow(e.features, schema, `training row ${i + 1}`));
  const standardiser = fitStandardiser(raw, schema);
  const x = encodeMatrix(raw, standardiser);
  const prepared = performance.now();

  const { initial, ...given } = options;
  const settings = { ...DEFAULT_SOFTMAX_OPTIONS, ...TABULAR_DEFAULTS, ...given };
  const { model, history } = trainSoftmax(x, y, labels.length, { ...settings, initial }, onIteration);
  const fitted = performance.now();

  const onnx = exportTabularOnnx(schema, standardiser, model, labels, {
    'modeldesk.trainer': TABULAR_TRAINER,
    'modeldesk.task': 'tabular-classification',
    'modeldesk.input':
      'features: float[batch, features] in feature_schema order; categories as their index; missing as NaN',
    'modeldesk.feature_schema': JSON.stringify(schema),
    'modeldesk.labels': JSON.stringify(labels),
    'modeldesk.hyperparameters': JSON.stringify(settings),
    'modeldesk.training_rows': String(examples.length),
  });
  return {
    trainer: TABULAR_TRAINER,
    labels,
    onnx,
    history,
    settings,
    timings: { prepareMs: prepared - started, fitMs: fitted - prepared, exportMs: performance.now() - fitted },
    predict: (rows) => predictProbabilities(model, encodeMatrix(rows, standardiser)),
  };
}
