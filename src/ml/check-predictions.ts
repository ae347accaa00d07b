import { InvalidInput } from '../errors/domain-error.js';
import type { ClassifierSignature, Prediction } from './onnx-classifier.js';

/** How far a row of probabilities may sum from 1 (float32 softmax rounding is ~1e-7). */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;

/**
 * Checks what a classifier returned for a sample: finite probabilities in [0, 1], each row summing
 * to ~1 (so they are probabilities, not logits), and, when the model also returns class names, that
 * they agree with the class order we were given (a wrong order would silently swap every metric).
 */
export function checkPredictions(
  prediction: Prediction,
  signature: ClassifierSignature,
  rowName: (row: number) => string,
): void {
  const { probabilities, rows } = prediction;
  const k = signature.labels.length;
  const output = signature.probabilities.name;
  for (let i = 0; i < rows; i += 1) {
    let sum = 0;
    for (let c = 0; c < k; c += 1) {
      const p = probabilities[i * k + c]!;
      if (!Number.isFinite(p) || p < -PROBABILITY_SUM_TOLERANCE || p > 1 + PROBABILITY_SUM_TOLERANCE) {
        throw new InvalidInput(
          'onnx.not_probabilities',
          `Output "${output}" gave ${p} for ${rowName(i)}, class "${signature.labels[c]}": probabilities must be finite and between 0 and 1. ${Number.isFinite(p) ? 'If these are scores or logits, end the model with a Softmax.' : 'Does the model handle missing values (NaN)? Add an imputer to the pipeline.'}`,
        );
      }
      sum += p;
    }
    if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
      throw new InvalidInput(
        'onnx.not_probabilities',
        `The probabilities of output "${output}" for ${rowName(i)} sum to ${sum.toFixed(4)}, not 1: export class probabilities (predict_proba), normalised over the classes.`,
      );
    }
  }
  if (signature.label?.type !== 'string' || !prediction.labelOutput) return;
  for (let i = 0; i < rows; i += 1) {
    const said = String(prediction.labelOutput[i]);
    const column = prediction.labelIndex[i]!;
    const best = probabilities[i * k + column]!;
    const saidColumn = signature.labels.indexOf(said);
    // A tie between the named class and the top column is not a disagreement.
    if (
      said !== signature.labels[column] &&
      !(saidColumn >= 0 && Math.abs(probabilities[i * k + saidColumn]! - best) <= 1e-6)
    ) {
      throw new InvalidInput(
        'onnx.label_order',
        `The model names ${rowName(i)} "${said}", but its highest probability is in column ${column + 1}, which the class order ${signature.labels.join(', ')} calls "${signature.labels[column]}": give the class labels in the model's output order (for scikit-learn, model.classes_).`,
        { labels: "not in the model's output order" },
      );
    }
  }
}
