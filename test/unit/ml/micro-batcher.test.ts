import assert from 'node:assert/strict';
import { MicroBatcher } from '../../../src/ml/runtime/micro-batcher.js';
import type { Classifier, ClassifierInputs, Prediction } from '../../../src/ml/onnx-classifier.js';

/** A two-class "model" over rows of 2 floats: p(b) = the row's first value; it records each run's size. */
function fakeClassifier(runs: number[], fail = false): Classifier {
  return {
    signature: {
      input: { name: 'x', type: 'float32', shape: ['batch', 2] },
      probabilities: { name: 'p' },
      labels: ['a', 'b'],
    },
    async predict(inputs: ClassifierInputs): Promise<Prediction> {
      const rows = (inputs as Float32Array).length / 2;
      runs.push(rows);
      if (fail) throw new Error('model failed');
      const probabilities = new Float32Array(rows * 2);
      for (let i = 0; i < rows; i += 1) {
        probabilities[i * 2 + 1] = (inputs as Float32Array)[i * 2]!;
        probabilities[i * 2] = 1 - probabilities[i * 2 + 1]!;
      }
      return { rows, probabilities, labelIndex: new Int32Array(rows) };
    },
    release: async () => undefined,
  };
}

const rowsOf = (...firsts: number[]) => Float32Array.from(firsts.flatMap((f) => [f, 0]));

describe('MicroBatcher: concurrent requests share onnxruntime runs', () => {
  it('answers requests made in the same turn with one run, each with its own rows', async () => {
    const runs: number[] = [];
    const batcher = new MicroBatcher(fakeClassifier(runs), { maxRows: 4_096 });
    const answers = await Promise.all([
      batcher.predict(rowsOf(0.25)),
      batcher.predict(rowsOf(0.5, 0.75)),
      batcher.predict(rowsOf(1)),
    ]);
    assert.deepEqual(runs, [4]);
    assert.deepEqual(
      answers.map((p) => Array.from(p)),
      [
        [0.75, 0.25],
        [0.5, 0.5, 0.25, 0.75],
        [0, 1],
      ],
    );
  });

  it('cuts a batch at maxRows, and a request larger than maxRows into pieces', async () => {
    const runs: number[] = [];
    const batcher = new MicroBatcher(fakeClassifier(runs), { maxRows: 3 });
    const [small, large] = await Promise.all([
      batcher.predict(rowsOf(0.1, 0.2)),
      batcher.predict(rowsOf(0.3, 0.4, 0.5, 0.6, 0.7)),
    ]);
    assert.deepEqual(
      runs,
      [2, 3, 2],
      'the small request alone (the large one does not fit beside it), then the large one in pieces of 3',
    );
    assert.deepEqual(
      Array.from(small)
        .filter((_, i) => i % 2 === 1)
        .map((v) => Number(v.toFixed(2))),
      [0.1, 0.2],
    );
    assert.deepEqual(
      Array.from(large)
        .filter((_, i) => i % 2 === 1)
        .map((v) => Number(v.toFixed(2))),
      [0.3, 0.4, 0.5, 0.6, 0.7],
    );
  });

  it('a failed run fails every request in it, and the batcher goes on', async () => {
    const runs: number[] = [];
    const batcher = new MicroBatcher(fakeClassifier(runs, true), { maxRows: 100 });
    const results = await Promise.allSettled([batcher.predict(rowsOf(0.1)), batcher.predict(rowsOf(0.2))]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(runs.length, 1);
    await assert.rejects(batcher.predict(rowsOf(0.3)), /model failed/);
    assert.equal(runs.length, 2);
  });
});
