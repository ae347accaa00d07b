/**
 * Post-hoc temperature scaling (Guo et al. 2017): probabilities softmax(z / T) for logits z, with one
 * T > 0 fitted on rows the model did not train on. T > 1 softens an over-confident model, T < 1
 * sharpens an under-confident one; the predicted label never changes. Because softmax(log p) = p,
 * the logits can be recovered from the probabilities up to a per-row constant, which softmax ignores:
 * the fit and the rescaling work on probabilities alone.
 */

/** Bounds of the search: a T outside them means something else is wrong (a broken or constant model). */
export const TEMPERATURE_RANGE = { min: 0.05, max: 20 } as const;
const EPSILON = 1e-15;

export interface TemperatureFit {
  temperature: number;
  /** Mean log loss of the rows the temperature was fitted on, at T = 1 and at the fitted T. */
  logLossBefore: number;
  logLossAfter: number;
  /** Why T was kept at 1 instead of fitted, when it was. */
  kept?: string;
}

/** softmax(log p / T) per row of `probabilities` (rows × k, row-major), into a new array. */
export function applyTemperature(probabilities: ArrayLike<number>, k: number, temperature: number): Float64Array {
  const out = new Float64Array(probabilities.length);
  for (let at = 0; at < probabilities.length; at += k) scaleRow(probabilities, at, k, 1 / temperature, out, at);
  return out;
}

/** Mean log loss (p clipped to 1e-15) of the rows after scaling by `temperature`. */
export function temperedLogLoss(
  probabilities: ArrayLike<number>,
  k: number,
  actual: ArrayLike<number>,
  temperature: number,
): number {
  const row = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < actual.length; i += 1) {
    scaleRow(probabilities, i * k, k, 1 / temperature, row, 0);
    sum -= Math.log(Math.max(EPSILON, row[actual[i]!]!));
  }
  return actual.length > 0 ? sum / actual.length : 0;
}

/**
 * The T minimising the mean log loss of `actual` under `probabilities`. The loss is convex in 1/T
 * (the logits are linear in it), hence unimodal in log T: a golden-section search on log T over
 * TEMPERATURE_RANGE finds the minimum to ~1e-9 in 60 steps, with no derivative to get wrong.
 */
export function fitTemperature(k: number, actual: ArrayLike<number>, probabilities: ArrayLike<number>): TemperatureFit {
  // With every row right, the loss only falls as T → 0 (sharper is always "better"): the rows say
  // nothing about how far to trust the model, and the search would run to its bound and make it
  // over-confident on new rows.
  if (allRight(k, actual, probabilities)) {
    const before = temperedLogLoss(probabilities, k, actual, 1);
    return {
      temperature: 1,
      logLossBefore: before,
      logLossAfter: before,
      kept: 'every held-out row was classified right, which says nothing about how far to trust the model',
    };
  }
  const loss = (logT: number) => temperedLogLoss(probabilities, k, actual, Math.exp(logT));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let low = Math.log(TEMPERATURE_RANGE.min);
  let high = Math.log(TEMPERATURE_RANGE.max);
  let left = high - ratio * (high - low);
  let right = low + ratio * (high - low);
  let leftLoss = loss(left);
  let rightLoss = loss(right);
  for (let step = 0; step < 60; step += 1) {
    if (leftLoss <= rightLoss) {
      high = right;
      right = left;
      rightLoss = leftLoss;
      left = high - ratio * (high - low);
      leftLoss = loss(left);
    } else {
      low = left;
      left = right;
      leftLoss = rightLoss;
      right = low + ratio * (high - low);
      rightLoss = loss(right);
    }
  }
  const before = loss(0);
  const temperature = Math.exp((low + high) / 2);
  const after = loss(Math.log(temperature));
  // A flat loss (e.g. every row already at p = 1) gives no reason to move: keep the model as it is.
  return after < before
    ? { temperature, logLossBefore: before, logLossAfter: after }
    : { temperature: 1, logLossBefore: before, logLossAfter: before };
}

function scaleRow(
  source: ArrayLike<number>,
  from: number,
  k: number,
  inverse: number,
  out: Float64Array,
  to: number,
): void {
  let max = -Infinity;
  for (let c = 0; c < k; c += 1) max = Math.max(max, Math.log(source[from + c]!) * inverse);
  let sum = 0;
  for (let c = 0; c < k; c += 1) sum += out[to + c] = Math.exp(Math.log(source[from + c]!) * inverse - max);
  for (let c = 0; c < k; c += 1) out[to + c]! /= sum;
}

function allRight(k: number, actual: ArrayLike<number>, probabilities: ArrayLike<number>): boolean {
  for (let i = 0; i < actual.length; i += 1) {
    let top = 0;
    for (let c = 1; c < k; c += 1) if (probabilities[i * k + c]! > probabilities[i * k + top]!) top = c;
    if (top !== actual[i]) return false;
  }
  return true;
}
