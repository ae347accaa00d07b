import { ModelFault } from '../../errors/domain-error.js';

/** Rows named in the error, at most. */
const ROWS_NAMED = 5;

/**
 * The rows (in order, at most `limit`) where a model answered a probability that is not a finite
 * number: a model that divides by zero, overflows, or has no imputer for missing values. Such an
 * answer is never served, cached or stored: see `outputNotFinite`.
 */
export function nonFiniteRows(probabilities: Float32Array, rows: number, k: number, limit = ROWS_NAMED): number[] {
  const found: number[] = [];
  for (let i = 0; i < rows && found.length < limit; i += 1) {
    for (let c = 0; c < k; c += 1) {
      if (!Number.isFinite(probabilities[i * k + c]!)) {
        found.push(i);
        break;
      }
    }
  }
  return found;
}

/**
 * The error for a model version that answered non-finite probabilities (code
 * `model.output_not_finite`): the model's fault, so the API answers 502, and a scoring job fails.
 * `where` names the rows (e.g. `instances[3]`, `record 42`); `missingInputs`, when the first of them
 * had missing values, adds the likeliest cause.
 */
export function outputNotFinite(
  model: { modelName: string; version: number },
  where: readonly string[],
  missingInputs = false,
): ModelFault {
  const rows = where.slice(0, ROWS_NAMED).join(', ');
  return new ModelFault(
    'model.output_not_finite',
    `Version ${model.version} of model "${model.modelName}" answered a probability that is not a finite number (NaN or infinity) for ${rows}: the model failed on this input, the answer was not used.${missingInputs ? ' The input has missing values: does the model impute them?' : ''} Use another version of the model meanwhile, and tell its owner (code model.output_not_finite).`,
    Object.fromEntries(where.slice(0, ROWS_NAMED).map((w) => [w, 'the model answered NaN or infinity for this input'])),
  );
}
