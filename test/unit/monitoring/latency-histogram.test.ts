import assert from 'node:assert/strict';
import {
  addHistograms,
  emptyHistogram,
  LATENCY_BOUNDS_MS,
  observe,
  percentile,
} from '../../../src/monitoring/latency-histogram.js';

describe('latency histograms (stored per minute, summed across processes)', () => {
  it('puts each observation in the first bucket whose bound it does not exceed', () => {
    const h = emptyHistogram();
    [0.3, 1, 1.5, 7, 10_000, 60_000].forEach((ms) => observe(h, ms));
    assert.equal(h[0], 2); // ≤ 1 ms
    assert.equal(h[1], 1); // ≤ 2 ms
    assert.equal(h[3], 1); // ≤ 10 ms
    assert.equal(h[LATENCY_BOUNDS_MS.length - 1], 1); // ≤ 10 s
    assert.equal(h[LATENCY_BOUNDS_MS.length], 1); // slower
  });

  it('interpolates percentiles inside a bucket, like histogram_quantile', () => {
    const h = emptyHistogram();
    for (let i = 0; i < 100; i += 1) observe(h, 20); // all in (10, 25]
    assert.equal(percentile(h, 0.5), 17.5);
    assert.equal(percentile(h, 0.99), 10 + 15 * 0.99);
    assert.equal(percentile(emptyHistogram(), 0.5), null);
  });

  it('adds histograms of different lengths and keeps percentiles over the sum', () => {
    const fast = emptyHistogram();
    const slow = emptyHistogram();
    for (let i = 0; i < 99; i += 1) observe(fast, 0.5);
    observe(slow, 3_000);
    const total = addHistograms([1], addHistograms(emptyHistogram(), addHistograms(fast, slow)));
    assert.equal(
      total.reduce((a, b) => a + b, 0),
      101,
    );
    assert.ok(percentile(total, 0.5)! <= 1);
    assert.ok(percentile(total, 0.999)! > 2_500);
  });
});
