import assert from 'node:assert/strict';
import {
  entropyCeiling,
  startsWithUncertain,
  uncertainPageIsComplete,
  UNCERTAIN_MARGIN,
} from '../../../src/records/uncertain-predictions.js';
import { uncertaintyOf } from '../../../src/ml/uncertainty.js';

describe('uncertain predictions (the partial indexes of least certain / highest entropy first)', () => {
  it('bounds the entropy of any prediction whose margin is at least m (10,000 random ones per k)', () => {
    let state = 7;
    const random = () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
    for (const k of [2, 3, 5, 10]) {
      const ceiling = entropyCeiling(k, UNCERTAIN_MARGIN);
      let highest = 0;
      for (let n = 0; n < 10_000; n += 1) {
        const raw = Array.from({ length: k }, () => random() ** 0.3);
        const sum = raw.reduce((a, b) => a + b, 0);
        const p = raw.map((r) => r / sum);
        const { margin, entropy } = uncertaintyOf(p, 0, k);
        if (margin >= UNCERTAIN_MARGIN) highest = Math.max(highest, entropy);
      }
      assert.ok(highest <= ceiling, `k=${k}: ${highest} > ${ceiling}`);
      // With few labels random answers come near it (with many, a margin of 0.1 is rare among them).
      if (k <= 3) assert.ok(highest > ceiling - 0.05, `k=${k}: the bound is tight (${highest} vs ${ceiling})`);
    }
  });

  it('is the entropy of the top label at (1 + (k−1)m)/k and the rest spread evenly', () => {
    const top = 0.55;
    assert.ok(Math.abs(entropyCeiling(2, 0.1) - -(top * Math.log(top) + 0.45 * Math.log(0.45))) < 1e-12);
    assert.ok(Math.abs(entropyCeiling(3, 0) - Math.log(3)) < 1e-12);
  });

  it('takes a page from the uncertain ones only when it is full and, for entropy, above the ceiling', () => {
    const row = (entropy: number) => ({ entropy, probabilities: [0.4, 0.35, 0.25] });
    assert.equal(uncertainPageIsComplete('margin', [row(1), row(1)], 2), true);
    assert.equal(uncertainPageIsComplete('margin', [row(1)], 2), false);
    assert.equal(uncertainPageIsComplete('entropy', [row(1.098), row(1.095)], 2), true);
    assert.equal(uncertainPageIsComplete('entropy', [row(1.098), row(1.0)], 2), false);
    assert.deepEqual(
      [
        startsWithUncertain('margin', 'ASC'),
        startsWithUncertain('entropy', 'DESC'),
        startsWithUncertain('margin', 'DESC'),
        startsWithUncertain('entropy', 'ASC'),
      ],
      [true, true, false, false],
    );
  });
});
