import { InvalidInput } from '../errors/domain-error.js';
import { minimiseLbfgs, type Objective, type StopReason } from './lbfgs.js';
import { isDense, type DenseMatrix, type DesignMatrix, type SparseMatrix } from './sparse-matrix.js';

/** Multinomial logistic regression: logits = x·W + b, probabilities = softmax(logits). Binary is K = 2. */
export interface SoftmaxModel {
  dim: number;
  classes: number;
  /** Row-major dim × classes. */
  weights: Float64Array;
  bias: Float64Array;
}

export interface SoftmaxOptions {
  /**
   * L2 penalty: the fit minimises mean log loss + (l2 / 2)·||W||² (the bias is not penalised).
   * scikit-learn's C is l2 = 1 / (rows · C), for two classes and for more (see trainSoftmax).
   */
  l2: number;
  /** Stop (not converged) after this many L-BFGS iterations. */
  maxIterations: number;
  /** Converged when no component of the objective's gradient exceeds this. */
  tolerance: number;
  /** Unused by the (deterministic) solver; kept so stored hyperparameters and callers stay stable. */
  seed: number;
  /** Warm start (e.g. along a path of l2 values): same dim and classes as the data. */
  initial?: SoftmaxModel;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxOptions = {
  l2: 1e-4,
  maxIterations: 500,
  tolerance: 1e-6,
  seed: 42,
};

/** What the fit says about itself. */
export interface TrainingHistory {
  solver: 'lbfgs';
  iterations: number;
  maxIterations: number;
  /** False when the fit stopped at maxIterations (or the line search failed) before the stopping rule held. */
  converged: boolean;
  /** Which rule stopped it: 'gradient' or 'objective' (converged), 'max-iterations' or 'line-search' (not). */
  stopReason: StopReason;
  /** Largest component of the objective's gradient at the returned weights. */
  gradientNorm: number;
  /** The objective at the start and after each iteration. */
  objective: number[];
}

/** Told after every iteration (e.g. to report progress); the fit runs synchronously around it. */
export type IterationListener = (iteration: number, maxIterations: number, objective: number) => void;
/** The former name, kept for callers written against it. */
export type EpochListener = IterationListener;

/**
 * Full-batch L-BFGS on the convex objective mean log loss + (l2 / 2)·||W||², bias unpenalised; the
 * optimum is unique (for l2 > 0), so the result does not depend on a seed or on the row order.
 *
 * Two classes are fitted as scikit-learn does, with one weight column w (the logit of class 1 minus
 * that of class 0) penalised as (l2 / 2)·||w||², and stored as W = [−w/2, w/2]: the same probabilities,
 * half the work, and the same C ↔ l2 mapping as for more classes (where every column is penalised).
 */
export function trainSoftmax(
  x: DesignMatrix,
  y: Int32Array,
  classes: number,
  options: Partial<SoftmaxOptions> = {},
  onIteration: IterationListener = () => undefined,
): { model: SoftmaxModel; history: TrainingHistory } {
  const settings = { ...DEFAULT_SOFTMAX_OPTIONS, ...options };
  if (x.rows === 0)
    throw new InvalidInput(
      'training.empty',
      'There are no training rows: check the training filter (e.g. split = train) and the dataset.',
    );
  const present = new Set(y);
  if (present.size < 2)
    throw new InvalidInput(
      'training.one_class',
      `All training rows have the same label (${classes > 0 ? 'only one class present' : 'no labels'}): label rows of at least two classes.`,
    );
  const initial = settings.initial;
  if (initial && (initial.dim !== x.cols || initial.classes !== classes))
    throw new InvalidInput(
      'training.bad_initial',
      `The warm start has ${initial.dim} inputs and ${initial.classes} classes but the data has ${x.cols} and ${classes}: start from a model fitted on the same features.`,
    );

  const columns = classes === 2 ? 1 : classes;
  const theta = new Float64Array(x.cols * columns + columns);
  if (initial) fromModel(initial, columns, theta);
  const result = minimiseLbfgs(logLossObjective(x, y, columns, settings.l2), theta, {
    maxIterations: settings.maxIterations,
    tolerance: settings.tolerance,
    onIteration: (iteration, objective) => onIteration(iteration, settings.maxIterations, objective),
  });
  return {
    model: toModel(theta, x.cols, classes, columns),
    history: {
      solver: 'lbfgs',
      iterations: result.iterations,
      maxIterations: settings.maxIterations,
      converged: result.converged,
      stopReason: result.stopReason,
      gradientNorm: result.gradientNorm,
      objective: result.objective,
    },
  };
}

/** mean log loss + (l2 / 2)·||W||² of the model on (x, y): the quantity trainSoftmax minimises. */
export function softmaxObjective(model: SoftmaxModel, x: DesignMatrix, y: Int32Array, l2: number): number {
  const columns = model.classes === 2 ? 1 : model.classes;
  const theta = new Float64Array(model.dim * columns + columns);
  fromModel(model, columns, theta);
  return logLossObjective(x, y, columns, l2)(theta, new Float64Array(theta.length));
}

/** Parameters θ = [W (dim × columns, row-major), b (columns)] → objective and gradient, in one pass over the rows. */
function logLossObjective(x: DesignMatrix, y: Int32Array, columns: number, l2: number): Objective {
  const dim = x.cols;
  const weightCount = dim * columns;
  const logits = new Float64Array(columns + 1);
  return (theta, gradient) => {
    gradient.fill(0);
    const loss = isDense(x)
      ? denseLossAndGradient(x, y, columns, theta, gradient, logits)
      : sparseLossAndGradient(x, y, columns, theta, gradient, logits);
    const inverseRows = 1 / x.rows;
    let penalty = 0;
    for (let i = 0; i < weightCount; i += 1) {
      const w = theta[i]!;
      penalty += w * w;
      gradient[i] = gradient[i]! * inverseRows + l2 * w;
    }
    for (let i = weightCount; i < theta.length; i += 1) gradient[i]! *= inverseRows;
    return loss * inverseRows + 0.5 * l2 * penalty;
  };
}

/**
 * Turns logits[0..columns) into dLoss/dLogits (softmax − one-hot) for `label`, returning the row's
 * cross-entropy. Three or more classes: two classes have loops of their own (one logit, no array).
 */
function rowLossAndDelta(logits: Float64Array, columns: number, label: number): number {
  let max = -Infinity;
  for (let k = 0; k < columns; k += 1) max = Math.max(max, logits[k]!);
  const labelLogit = logits[label]! - max;
  let sum = 0;
  for (let k = 0; k < columns; k += 1) sum += logits[k] = Math.exp(logits[k]! - max);
  for (let k = 0; k < columns; k += 1) logits[k]! /= sum;
  logits[label]! -= 1;
  return Math.log(sum) - labelLogit;
}

function denseLossAndGradient(
  x: DenseMatrix,
  y: Int32Array,
  columns: number,
  theta: Float64Array,
  gradient: Float64Array,
  logits: Float64Array,
): number {
  const { data, cols, rows } = x;
  const biasAt = cols * columns;
  let loss = 0;
  if (columns === 1) {
    // The hot loop of every binary tabular fit: one dot product and one axpy per row.
    const b = theta[biasAt]!;
    let biasGradient = 0;
    for (let row = 0, at = 0; row < rows; row += 1, at += cols) {
      let z = b;
      for (let j = 0; j < cols; j += 1) z += data[at + j]! * theta[j]!;
      const label = y[row]!;
      const e = Math.exp(-Math.abs(z));
      loss += Math.max(z, 0) + Math.log1p(e) - label * z;
      const delta = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - label;
      biasGradient += delta;
      for (let j = 0; j < cols; j += 1) gradient[j]! += delta * data[at + j]!;
    }
    gradient[biasAt] = biasGradient;
    return loss;
  }
  for (let row = 0, at = 0; row < rows; row += 1, at += cols) {
    for (let k = 0; k < columns; k += 1) logits[k] = theta[biasAt + k]!;
    for (let j = 0; j < cols; j += 1) {
      const v = data[at + j]!;
      if (v === 0) continue; // one-hot columns are mostly zero
      const base = j * columns;
      for (let k = 0; k < columns; k += 1) logits[k]! += v * theta[base + k]!;
    }
    loss += rowLossAndDelta(logits, columns, y[row]!);
    for (let k = 0; k < columns; k += 1) gradient[biasAt + k]! += logits[k]!;
    for (let j = 0; j < cols; j += 1) {
      const v = data[at + j]!;
      if (v === 0) continue;
      const base = j * columns;
      for (let k = 0; k < columns; k += 1) gradient[base + k]! += v * logits[k]!;
    }
  }
  return loss;
}

function sparseLossAndGradient(
  x: SparseMatrix,
  y: Int32Array,
  columns: number,
  theta: Float64Array,
  gradient: Float64Array,
  logits: Float64Array,
): number {
  const { indptr, indices, values, rows, cols } = x;
  const biasAt = cols * columns;
  let loss = 0;
  if (columns === 1) {
    // The hot loop of every binary text fit: a sparse dot product and a sparse axpy per row.
    const b = theta[biasAt]!;
    let biasGradient = 0;
    for (let row = 0; row < rows; row += 1) {
      const start = indptr[row]!;
      const end = indptr[row + 1]!;
      let z = b;
      for (let p = start; p < end; p += 1) z += values[p]! * theta[indices[p]!]!;
      const label = y[row]!;
      const e = Math.exp(-Math.abs(z));
      loss += Math.max(z, 0) + Math.log1p(e) - label * z;
      const delta = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - label;
      biasGradient += delta;
      for (let p = start; p < end; p += 1) gradient[indices[p]!]! += delta * values[p]!;
    }
    gradient[biasAt] = biasGradient;
    return loss;
  }
  for (let row = 0; row < rows; row += 1) {
    const start = indptr[row]!;
    const end = indptr[row + 1]!;
    for (let k = 0; k < columns; k += 1) logits[k] = theta[biasAt + k]!;
    for (let p = start; p < end; p += 1) {
      const v = values[p]!;
      const base = indices[p]! * columns;
      for (let k = 0; k < columns; k += 1) logits[k]! += v * theta[base + k]!;
    }
    loss += rowLossAndDelta(logits, columns, y[row]!);
    for (let k = 0; k < columns; k += 1) gradient[biasAt + k]! += logits[k]!;
    for (let p = start; p < end; p += 1) {
      const v = values[p]!;
      const base = indices[p]! * columns;
      for (let k = 0; k < columns; k += 1) gradient[base + k]! += v * logits[k]!;
    }
  }
  return loss;
}

/** θ → the stored model (two classes: W = [−w/2, w/2], b = [−b/2, b/2], the same softmax). */
function toModel(theta: Float64Array, dim: number, classes: number, columns: number): SoftmaxModel {
  if (columns === classes)
    return { dim, classes, weights: theta.slice(0, dim * classes), bias: theta.slice(dim * classes) };
  const weights = new Float64Array(dim * 2);
  for (let j = 0; j < dim; j += 1) {
    weights[j * 2] = -theta[j]! / 2;
    weights[j * 2 + 1] = theta[j]! / 2;
  }
  const b = theta[dim]!;
  return { dim, classes, weights, bias: Float64Array.of(-b / 2, b / 2) };
}

/** The stored model → θ (two classes: the difference of the two columns). */
function fromModel(model: SoftmaxModel, columns: number, theta: Float64Array): void {
  const { dim, classes, weights, bias } = model;
  if (columns === classes) {
    theta.set(weights);
    theta.set(bias, dim * classes);
    return;
  }
  for (let j = 0; j < dim; j += 1) theta[j] = weights[j * 2 + 1]! - weights[j * 2]!;
  theta[dim] = bias[1]! - bias[0]!;
}

/** Probabilities for one row of `x` into `out` (length = classes). */
export function forwardRow(model: SoftmaxModel, x: DesignMatrix, row: number, out: Float64Array): void {
  const { classes, weights, bias } = model;
  for (let k = 0; k < classes; k += 1) out[k] = bias[k]!;
  if (isDense(x)) {
    const { data, cols } = x;
    for (let j = 0, at = row * cols; j < cols; j += 1, at += 1) {
      const v = data[at]!;
      const base = j * classes;
      for (let k = 0; k < classes; k += 1) out[k]! += v * weights[base + k]!;
    }
  } else {
    for (let p = x.indptr[row]!; p < x.indptr[row + 1]!; p += 1) {
      const base = x.indices[p]! * classes;
      const v = x.values[p]!;
      for (let k = 0; k < classes; k += 1) out[k]! += v * weights[base + k]!;
    }
  }
  let max = -Infinity;
  for (let k = 0; k < classes; k += 1) max = Math.max(max, out[k]!);
  let sum = 0;
  for (let k = 0; k < classes; k += 1) sum += out[k] = Math.exp(out[k]! - max);
  for (let k = 0; k < classes; k += 1) out[k]! /= sum;
}

/** Probabilities for every row: rows × classes, row-major. */
export function predictProbabilities(model: SoftmaxModel, x: DesignMatrix): Float64Array {
  const result = new Float64Array(x.rows * model.classes);
  const row = new Float64Array(model.classes);
  for (let i = 0; i < x.rows; i += 1) {
    forwardRow(model, x, i, row);
    result.set(row, i * model.classes);
  }
  return result;
}
