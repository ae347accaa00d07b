import { InvalidInput } from '../../errors/domain-error.js';
import { FOLDS } from './cross-validate.js';
import { foldRows, stratifiedFolds } from './stratified-folds.js';

/** The folds of a search over `y`, checked: each fold's fitted rows must hold at least two classes. */
export function searchFolds(y: Int32Array, seed: number): Array<{ fit: Int32Array; heldOut: Int32Array }> {
  if (y.length < 2 * FOLDS)
    throw new InvalidInput(
      'search.too_few_rows',
      `Cross-validation needs at least ${2 * FOLDS} labelled train rows (${FOLDS} folds); there are ${y.length}: label more rows or train without the search.`,
    );
  const folds = stratifiedFolds(y, FOLDS, seed);
  return Array.from({ length: FOLDS }, (_, f) => {
    const rows = foldRows(folds, f);
    if (new Set(Array.from(rows.fit, (row) => y[row]!)).size < 2)
      throw new InvalidInput(
        'search.too_few_rows',
        `Cross-validation fold ${f + 1} would train on one class only: label more rows of the rarer classes or train without the search.`,
      );
    return rows;
  });
}

/** `y` at the given rows. */
export const labelsAt = (y: Int32Array, rows: Int32Array) => Int32Array.from(rows, (row) => y[row]!);
