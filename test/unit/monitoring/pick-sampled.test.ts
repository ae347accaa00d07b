import assert from 'node:assert/strict';
import { pickSampled } from '../../../src/monitoring/pick-sampled.js';

describe('picking the predict samples', () => {
  it('keeps each instance with the rate: about rate × n of them, spread evenly, none twice', () => {
    let state = 11;
    const random = () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
    const n = 1_000_000;
    const picked = pickSampled(n, 0.01, random);
    assert.ok(Math.abs(picked.length - 10_000) < 400, `${picked.length} picked`); // 4 standard deviations
    assert.ok(picked.every((i, k) => i >= 0 && i < n && (k === 0 || i > picked[k - 1]!)));
    const firstHalf = picked.filter((i) => i < n / 2).length;
    assert.ok(Math.abs(firstHalf - picked.length / 2) < 300, `${firstHalf} in the first half`);
  });

  it('keeps all at rate 1 and none at rate 0', () => {
    assert.deepEqual(pickSampled(3, 1), [0, 1, 2]);
    assert.deepEqual(pickSampled(3, 0), []);
  });

  it('keeps the instance a draw under the rate points at (one draw per kept instance)', () => {
    // A draw of 0 keeps the next instance at once: gap floor(log(1)/log(0.5)) = 0.
    const draws = [0, 0.9, 0.9];
    let n = 0;
    assert.deepEqual(
      pickSampled(3, 0.5, () => draws[n++]!),
      [0],
    );
  });
});
