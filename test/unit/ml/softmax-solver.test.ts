import assert from 'node:assert/strict';
import { minimiseLbfgs } from '../../../src/ml/lbfgs.js';
import { seededRandom } from '../../../src/ml/seeded-random.js';
import {
  predictProbabilities,
  softmaxObjective,
  trainSoftmax,
  type SoftmaxModel,
} from '../../../src/ml/softmax-regression.js';
import type { DenseMatrix, SparseMatrix } from '../../../src/ml/sparse-matrix.js';
import { syntheticSoftmaxSplit } from '../../reference/export-demo-splits.js';

/** The synthetic 3-class set (known softmax truth) as a dense matrix. */
function denseOf(rows: Float64Array[]): DenseMatrix {
  const cols = rows[0]!.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => data.set(row, i * cols));
  return { rows: rows.length, cols, data };
}

/** A small sparse binary problem: 300 rows, 40 columns, ~5 non-zeros a row, labels from a hidden rule. */
function sparseBinary(): { x: SparseMatrix; y: Int32Array } {
  const random = seededRandom(3);
  const indptr = new Int32Array(301);
  const indices: number[] = [];
  const values: number[] = [];
  const y = new Int32Array(300);
  for (let i = 0; i < 300; i += 1) {
    const columns = [...new Set(Array.from({ length: 5 }, () => Math.floor(random() * 40)))].sort((a, b) => a - b);
    let score = -0.2;
    for (const j of columns) {
      const v = random();
      indices.push(j);
      values.push(v);
      score += (j % 2 === 0 ? 1 : -1) * v;
    }
    y[i] = score + (random() - 0.5) > 0 ? 1 : 0;
    indptr[i + 1] = values.length;
  }
  return {
    x: { rows: 300, cols: 40, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) },
    y,
  };
}

/** Plain gradient descent with a fixed small step, run long: the slow, obviously-correct reference. */
function gradientDescent(x: DenseMatrix | SparseMatrix, y: Int32Array, classes: number, l2: number, steps: number) {
  const columns = classes === 2 ? 1 : classes;
  const theta = new Float64Array(x.cols * columns + columns);
  const gradient = new Float64Array(theta.length);
  // The gradient is written out here again (not taken from softmax-regression.ts), so the reference is
  // independent of the code under test; θ is stored as trainSoftmax stores it (two classes: w = W1 − W0).
  const model = (): SoftmaxModel => {
    if (columns === classes)
      return {
        dim: x.cols,
        classes,
        weights: theta.slice(0, x.cols * classes),
        bias: theta.slice(x.cols * classes),
      };
    const weights = new Float64Array(x.cols * 2);
    for (let j = 0; j < x.cols; j += 1) [weights[2 * j], weights[2 * j + 1]] = [-theta[j]! / 2, theta[j]! / 2];
    return { dim: x.cols, classes, weights, bias: Float64Array.of(-theta[x.cols]! / 2, theta[x.cols]! / 2) };
  };
  const rowValues = (i: number): Array<[number, number]> => {
    if ('data' in x) return Array.from({ length: x.cols }, (_, j) => [j, x.data[i * x.cols + j]!]);
    const out: Array<[number, number]> = [];
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1) out.push([x.indices[p]!, x.values[p]!]);
    return out;
  };
  // Each row's (column, value) pairs, read once: 4,000 steps × rows × classes of fresh arrays were most of
  // this file's CPU. The sums below run in the same order, so the reference's result is the same.
  const rows = Array.from({ length: x.rows }, (_, i) => rowValues(i));
  for (let step = 0; step < steps; step += 1) {
    const p = predictProbabilities(model(), x);
    gradient.fill(0);
    for (let i = 0; i < x.rows; i += 1) {
      for (let c = 0; c < columns; c += 1) {
        // Binary: d loss / d logit-difference = p1 − y; multi-class: p_c − [y = c].
        const delta = columns === 1 ? p[i * 2 + 1]! - y[i]! : p[i * classes + c]! - (y[i] === c ? 1 : 0);
        for (const [j, v] of rows[i]!) gradient[j * columns + c]! += (delta * v) / x.rows;
        gradient[x.cols * columns + c]! += delta / x.rows;
      }
    }
    for (let w = 0; w < x.cols * columns; w += 1) gradient[w]! += l2 * theta[w]!;
    for (let w = 0; w < theta.length; w += 1) theta[w]! -= 0.5 * gradient[w]!;
  }
  return softmaxObjective(model(), x, y, l2);
}

describe('L-BFGS softmax regression: the optimum, the stopping rule, determinism', () => {
  const synthetic = syntheticSoftmaxSplit(600, 10);
  const x = denseOf(synthetic.train.rows);
  const y = synthetic.train.y;

  it('minimises a classic non-convex test function (Rosenbrock) to its minimum at (1, 1)', () => {
    const result = minimiseLbfgs(
      (p, g) => {
        const [a, b] = [p[0]!, p[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.of(-1.2, 1),
      { maxIterations: 200, tolerance: 1e-9 },
    );
    assert.equal(result.converged, true, result.stopReason);
    assert.ok(Math.abs(result.x[0]! - 1) < 1e-6 && Math.abs(result.x[1]! - 1) < 1e-6, String(result.x));
    for (let i = 1; i < result.objective.length; i += 1)
      assert.ok(result.objective[i]! <= result.objective[i - 1]!, 'every accepted step decreases f');
  });

  for (const [name, data, classes, l2] of [
    ['3 classes, dense', { x, y }, 3, 1e-3],
    ['2 classes, sparse', sparseBinary(), 2, 1e-3],
  ] as const) {
    it(`reaches the optimum of a slow reference (${name}): tiny gradient, objective no higher than 4,000 gradient-descent steps`, () => {
      const { model, history } = trainSoftmax(data.x, data.y, classes, { l2, tolerance: 1e-8 });
      assert.equal(history.converged, true, history.stopReason);
      assert.equal(history.solver, 'lbfgs');
      // It stops on the gradient (≤ 1e-8) or once f stops moving (relative 1e-10, 3 times): either way near 0.
      assert.ok(history.gradientNorm <= 1e-7, `gradient ${history.gradientNorm}`);
      assert.equal(history.objective.length, history.iterations + 1, 'the start and every iteration');
      const ours = softmaxObjective(model, data.x, data.y, l2);
      assert.ok(Math.abs(ours - history.objective.at(-1)!) < 1e-12, 'the reported objective is the model’s');
      const slow = gradientDescent(data.x, data.y, classes, l2, 4_000);
      assert.ok(ours <= slow + 1e-12, `L-BFGS ${ours} vs gradient descent ${slow}`);
      assert.ok(slow - ours < 1e-4, 'and the slow run gets close to it: the same objective');
    });
  }

  it('says so when the iteration cap stops it: converged = false, stopped by max-iterations', () => {
    const { history } = trainSoftmax(x, y, 3, { l2: 1e-4, maxIterations: 3 });
    assert.deepEqual(
      [history.converged, history.stopReason, history.iterations, history.maxIterations],
      [false, 'max-iterations', 3, 3],
    );
    assert.ok(history.gradientNorm > 1e-6);
  });

  it('is deterministic: the same data gives bit-identical weights, whatever the seed', () => {
    const first = trainSoftmax(x, y, 3, { l2: 1e-4, seed: 1 });
    const second = trainSoftmax(x, y, 3, { l2: 1e-4, seed: 99 });
    assert.deepEqual(first.model.weights, second.model.weights);
    assert.deepEqual(first.model.bias, second.model.bias);
    assert.deepEqual(first.history, second.history);
  });

  it('warm-starts from a given model: from the optimum it stops at once, from a neighbour’s quickly', () => {
    const cold = trainSoftmax(x, y, 3, { l2: 1e-3 });
    const again = trainSoftmax(x, y, 3, { l2: 1e-3, initial: cold.model });
    assert.ok(again.history.iterations <= 1, `${again.history.iterations} iterations`);
    const neighbour = trainSoftmax(x, y, 3, { l2: 3e-3, initial: cold.model });
    const fresh = trainSoftmax(x, y, 3, { l2: 3e-3 });
    assert.equal(neighbour.history.converged, true);
    assert.ok(Math.abs(neighbour.history.objective.at(-1)! - fresh.history.objective.at(-1)!) < 1e-9);
    assert.ok(neighbour.history.iterations < fresh.history.iterations, 'the warm start saves iterations');
    assert.throws(() => trainSoftmax(x, y, 3, { initial: { ...cold.model, dim: 3 } }), /warm start has 3 inputs/);
  });

  it('fits two classes as one logit column: the stored softmax gives the same probabilities as a sigmoid', () => {
    const { x: sx, y: sy } = sparseBinary();
    const { model } = trainSoftmax(sx, sy, 2, { l2: 1e-2 });
    for (let j = 0; j < model.dim; j += 1) assert.equal(model.weights[2 * j], -model.weights[2 * j + 1]!);
    const p = predictProbabilities(model, sx);
    for (let i = 0; i < sx.rows; i += 1) assert.ok(Math.abs(p[2 * i]! + p[2 * i + 1]! - 1) < 1e-12);
  });
});
