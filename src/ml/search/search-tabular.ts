import type { FeatureSpec } from '../../../models/enums.js';
import { DEFAULT_SOFTMAX_OPTIONS, type SoftmaxOptions } from '../softmax-regression.js';
import { encodeMatrix, encodeRow, fitStandardiser } from '../tabular/tabular-encoder.js';
import type { TabularExample } from '../tabular/train-tabular.js';
import { C_GRID, CrossValidation, FOLDS, type FoldData } from './cross-validate.js';
import { labelsAt, searchFolds } from './search-data.js';
import type { SearchListener, SearchReport } from './search-report.js';
import { indexLabels } from '../class-labels.js';

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
  const { labels, y } = indexLabels(examples);
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
