import { InvalidInput } from '../errors/domain-error.js';
import { isDense, selectRows, type DesignMatrix } from './sparse-matrix.js';
import { seededRandom, shuffleInPlace } from './seeded-random.js';

/** Multinomial logistic regression: logits = x·W + b, probabilities = softmax(logits). Binary is K = 2. */
export interface SoftmaxModel {
  dim: number;
  classes: number;
  /** Row-major dim × classes. */
  weights: Float64Array;
  bias: Float64Array;
}

export interface SoftmaxOptions {
  /** L2 penalty on the weights (not the bias), per example. */
  l2: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  /** Stop after this many epochs without a better validation loss. */
  patience: number;
  /** Share of the training rows held back for early stopping. */
  validationShare: number;
  seed: number;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxOptions = {
  l2: 1e-4,
  learningRate: 0.05,
  batchSize: 256,
  maxEpochs: 60,
  patience: 4,
  validationShare: 0.1,
  seed: 42,
};

export interface TrainingHistory {
  epochs: number;
  bestEpoch: number;
  trainLoss: number[];
  validationLoss: number[];
}

/** Told after every epoch (e.g. to report progress); the fit runs synchronously around it. */
export type EpochListener = (epoch: number, maxEpochs: number, validationLoss: number) => void;

/** Mini-batch Adam with L2 and early stopping on a validation split; returns the best epoch's weights. */
export function trainSoftmax(
  x: DesignMatrix,
  y: Int32Array,
  classes: number,
  options: SoftmaxOptions = DEFAULT_SOFTMAX_OPTIONS,
  onEpoch: EpochListener = () => undefined,
): { model: SoftmaxModel; history: TrainingHistory } {
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

  const random = seededRandom(options.seed);
  const order = Int32Array.from({ length: x.rows }, (_, i) => i);
  shuffleInPlace(order, random);
  const validationSize = x.rows >= 50 ? Math.max(1, Math.floor(x.rows * options.validationShare)) : 0;
  const validationRows = order.subarray(0, validationSize);
  const trainRows = Int32Array.from(order.subarray(validationSize));
  const train = selectRows(x, trainRows);
  const trainY = Int32Array.from(trainRows, (i) => y[i]!);
  const validation = selectRows(x, validationRows);
  const validationY = Int32Array.from(validationRows, (i) => y[i]!);

  const dim = x.cols;
  const model: SoftmaxModel = {
    dim,
    classes,
    weights: new Float64Array(dim * classes),
    bias: new Float64Array(classes),
  };
  const adam = new Adam(dim * classes + classes, options.learningRate);
  const gradW = new Float64Array(dim * classes);
  const gradB = new Float64Array(classes);
  const probs = new Float64Array(classes);
  const history: TrainingHistory = { epochs: 0, bestEpoch: 0, trainLoss: [], validationLoss: [] };
  let best = { loss: Infinity, weights: model.weights.slice(), bias: model.bias.slice() };
  let sinceBest = 0;
  // The rows were shuffled once above (train is in random order); each epoch visits the batches in a
  // new random order. Rows of a batch stay contiguous in memory, which keeps the fit cache-friendly.
  const batchOrder = Int32Array.from({ length: Math.ceil(train.rows / options.batchSize) }, (_, i) => i);

  for (let epoch = 1; epoch <= options.maxEpochs; epoch += 1) {
    shuffleInPlace(batchOrder, random);
    let lossSum = 0;
    for (const batch of batchOrder) {
      const start = batch * options.batchSize;
      const end = Math.min(train.rows, start + options.batchSize);
      gradW.fill(0);
      gradB.fill(0);
      for (let row = start; row < end; row += 1) {
        forwardRow(model, train, row, probs);
        const label = trainY[row]!;
        lossSum -= Math.log(Math.max(probs[label]!, 1e-15));
        probs[label]! -= 1; // now dLoss/dLogits
        for (let k = 0; k < classes; k += 1) gradB[k]! += probs[k]!;
        accumulateGradient(train, row, probs, gradW);
      }
      const scale = 1 / (end - start);
      adam.step(model, gradW, gradB, scale, options.l2);
    }
    const validationLoss = validation.rows > 0 ? meanLogLoss(model, validation, validationY) : lossSum / train.rows;
    history.trainLoss.push(lossSum / train.rows);
    history.validationLoss.push(validationLoss);
    history.epochs = epoch;
    onEpoch(epoch, options.maxEpochs, validationLoss);
    if (validationLoss < best.loss - 1e-5) {
      best = { loss: validationLoss, weights: model.weights.slice(), bias: model.bias.slice() };
      history.bestEpoch = epoch;
      sinceBest = 0;
    } else if ((sinceBest += 1) >= options.patience) {
      break;
    }
  }
  model.weights.set(best.weights);
  model.bias.set(best.bias);
  return { model, history };
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

/** gradW (dim × classes) += x[row] ⊗ delta. */
function accumulateGradient(x: DesignMatrix, row: number, delta: Float64Array, gradW: Float64Array): void {
  const classes = delta.length;
  if (isDense(x)) {
    const { data, cols } = x;
    for (let j = 0, at = row * cols; j < cols; j += 1, at += 1) {
      const v = data[at]!;
      const base = j * classes;
      for (let k = 0; k < classes; k += 1) gradW[base + k]! += v * delta[k]!;
    }
    return;
  }
  for (let p = x.indptr[row]!; p < x.indptr[row + 1]!; p += 1) {
    const v = x.values[p]!;
    const base = x.indices[p]! * classes;
    for (let k = 0; k < classes; k += 1) gradW[base + k]! += v * delta[k]!;
  }
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

function meanLogLoss(model: SoftmaxModel, x: DesignMatrix, y: Int32Array): number {
  const probs = new Float64Array(model.classes);
  let sum = 0;
  for (let i = 0; i < x.rows; i += 1) {
    forwardRow(model, x, i, probs);
    sum -= Math.log(Math.max(probs[y[i]!]!, 1e-15));
  }
  return sum / x.rows;
}

/** Adam (Kingma & Ba) over all weights and biases; L2 applies to weights only. */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(
    size: number,
    private readonly rate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(model: SoftmaxModel, gradW: Float64Array, gradB: Float64Array, scale: number, l2: number): void {
    this.t += 1;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    const { weights, bias } = model;
    const n = weights.length;
    for (let i = 0; i < n; i += 1) this.update(weights, i, i, gradW[i]! * scale + l2 * weights[i]!, c1, c2);
    for (let k = 0; k < bias.length; k += 1) this.update(bias, k, n + k, gradB[k]! * scale, c1, c2);
  }

  private update(target: Float64Array, index: number, slot: number, gradient: number, c1: number, c2: number): void {
    const m = (this.m[slot] = this.beta1 * this.m[slot]! + (1 - this.beta1) * gradient);
    const v = (this.v[slot] = this.beta2 * this.v[slot]! + (1 - this.beta2) * gradient * gradient);
    target[index]! -= (this.rate * (m / c1)) / (Math.sqrt(v / c2) + this.epsilon);
  }
}
