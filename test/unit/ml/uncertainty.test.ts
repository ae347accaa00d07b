import assert from 'node:assert/strict';
import { uncertaintyOf } from '../../../src/ml/uncertainty.js';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} is not ${expected}`);

describe('uncertainty of a prediction', () => {
  it('gives the margin between the two most probable labels and the entropy in nats, per row', () => {
    const rows = new Float32Array([0.1, 0.6, 0.3, 0.25, 0.25, 0.5]);
    const first = uncertaintyOf(rows, 0, 3);
    assert.equal(first.best, 1);
    close(first.margin, 0.3);
    close(first.entropy, -(0.1 * Math.log(0.1) + 0.6 * Math.log(0.6) + 0.3 * Math.log(0.3)));
    const second = uncertaintyOf(rows, 1, 3);
    assert.equal(second.best, 2);
    close(second.margin, 0.25);
  });

  it('reads a tie as margin 0 with the first label chosen, and a uniform answer as entropy ln k', () => {
    const tie = uncertaintyOf([0.5, 0.5], 0, 2);
    assert.deepEqual([tie.best, tie.margin], [0, 0]);
    close(tie.entropy, Math.log(2));
    close(uncertaintyOf([0.25, 0.25, 0.25, 0.25], 0, 4).entropy, Math.log(4));
  });

  it('reads a certain answer as margin 1 and entropy 0 (a zero probability adds nothing)', () => {
    const certain = uncertaintyOf([0, 1, 0], 0, 3);
    assert.deepEqual(certain, { best: 1, margin: 1, entropy: 0 });
  });
});
