import type { FeatureSpec } from '../../../models/enums.js';
import { DEFAULT_SOFTMAX_OPTIONS, type SoftmaxOptions } from '../softmax-regression.js';
import type { DenseMatrix } from '../sparse-matrix.js';
import { encodeRow, fitStandardiser, transformRow, type Standardiser } from '../tabular/tabular-encoder.js';
import type { TabularExample } from '../tabular/train-tabular.js';
import { C_GRID, CrossValidation, FOLDS, type FoldData } from './cross-validate.js';
import { labelsAt, searchFolds } from './search-data.js';
import type { SearchListener, SearchReport } from './search-report.js';

/**
 * Chooses C for a tabular model by stratified 5-fold cross-validation on its training rows: each
 * fold's standardiser is fitted on that fold's fitted rows only, as the trainer does on all of them.
 */
export function searchTabular(
  schema: readonly FeatureSpec[],
  examples: readonly TabularExample[],
  solverOptions: Partial<SoftmaxOptions>,
  onStep?: SearchListener,
): SearchReport {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const classOf = new Map(labels.map((label, k) => [label, k]));
  const y = Int32Array.from(examples, (e) => classOf.get(e.label)!);
  const raw = examples.map((e, i) => encodeRow(e.features, schema, `training row ${i + 1}`));
  const folds = searchFolds(y, solverOptions.seed ?? DEFAULT_SOFTMAX_OPTIONS.seed).map((rows): FoldData => {
    const fitRaw = Array.from(rows.fit, (row) => raw[row]!);
    const standardiser = fitStandardiser(fitRaw, schema);
    return {
      fit: encodeMatrix(fitRaw, standardiser),
      fitY: labelsAt(y, rows.fit),
      heldOut: encodeMatrix(
        Array.from(rows.heldOut, (row) => raw[row]!),
        standardiser,
      ),
      heldOutY: labelsAt(y, rows.heldOut),
    };
  });
  const cv = new CrossValidation(labels.length, solverOptions, onStep);
  cv.plan(C_GRID.length);
  cv.runPath(
    folds,
    C_GRID.map((C) => ({ C })),
  );
  return { folds: FOLDS, metric: 'logLoss', candidates: cv.candidates, chosen: cv.best().params };
}

/** Encoded rows → the model's input matrix (standardised numbers, one-hot categories). */
function encodeMatrix(rows: readonly Float64Array[], standardiser: Standardiser): DenseMatrix {
  const data = new Float64Array(rows.length * standardiser.width);
  rows.forEach((row, i) => transformRow(row, standardiser, data, i * standardiser.width));
  return { rows: rows.length, cols: standardiser.width, data };
}
