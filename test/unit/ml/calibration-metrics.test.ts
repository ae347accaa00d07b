import assert from 'node:assert/strict';
import { calibrationMetrics } from '../../../src/ml/calibration/calibration-metrics.js';
import { evaluate } from '../../../src/ml/metrics.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

describe('calibration metrics (log loss, Brier, ECE, reliability bins)', () => {
  it('matches hand-computed values on four rows', () => {
    // Top labels: 0.9 right, 0.8 wrong, 0.7 right, 0.6 right; each in its own bin.
    const m = calibrationMetrics(2, [0, 1, 1, 1], [0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.4, 0.6]);
    close(m.logLoss, -(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.6)) / 4, 'log loss');
    close(m.brier, (0.02 + 1.28 + 0.18 + 0.32) / 4, 'Brier');
    close(m.ece, (0.1 + 0.8 + 0.3 + 0.4) / 4, 'ECE');
    assert.deepEqual(
      m.bins.map((b) => [Math.round(b.from * 15), Math.round(b.to * 15), b.count, b.accuracy]),
      [
        [8, 9, 1, 1],
        [10, 11, 1, 1],
        [11, 12, 1, 0],
        [13, 14, 1, 1],
      ],
    );
    close(m.bins[2]!.confidence, 0.8, 'confidence of the bin ending at 0.8');
  });

  it('puts a confidence on a bin edge into the bin that ends there, and 1.0 into the last bin', () => {
    const m = calibrationMetrics(2, [0, 0], [0.6, 0.4, 1, 0]);
    assert.deepEqual(
      m.bins.map((b) => [Math.round(b.to * 15), b.count]),
      [
        [9, 1],
        [15, 1],
      ],
    );
  });

  // Expected numbers produced once with /usr/bin/python3, scikit-learn 1.2.1 and numpy:
  //   sklearn.metrics.log_loss(y, p), sklearn.metrics.brier_score_loss(y, p) (binary: positive class only),
  //   multi-class Brier as ((P - onehot(y))**2).sum(1).mean(), ECE with 15 bins of max(P, 1) over
  //   (i/15, (i+1)/15]: sum(count/n * |mean(argmax == y) - mean(max)|).
  it('agrees with scikit-learn on a binary example (Brier = 2 × brier_score_loss)', () => {
    const p1 = [0.95, 0.1, 0.8, 0.3, 0.65, 0.02, 0.55, 0.4, 0.99, 0.2, 0.7, 0.45];
    const y = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1];
    const m = calibrationMetrics(
      2,
      y,
      p1.flatMap((p) => [1 - p, p]),
    );
    close(m.logLoss, 0.4998443341445624, 'log_loss');
    close(m.brier, 2 * 0.18004166666666668, 'brier_score_loss × 2');
    close(m.ece, 0.24416666666666664, 'ECE');
  });

  it('agrees with scikit-learn on a three-class example', () => {
    const probabilities = [
      [0.7, 0.2, 0.1],
      [0.1, 0.8, 0.1],
      [0.3, 0.3, 0.4],
      [0.05, 0.05, 0.9],
      [0.6, 0.3, 0.1],
      [0.2, 0.5, 0.3],
      [0.34, 0.33, 0.33],
      [0.1, 0.1, 0.8],
      [0.25, 0.6, 0.15],
      [0.5, 0.1, 0.4],
    ].flat();
    const m = evaluate(['a', 'b', 'c'], [0, 1, 0, 2, 1, 1, 0, 2, 0, 2], probabilities).calibration;
    close(m.logLoss, 0.7390810105802771, 'log_loss');
    close(m.brier, 0.4473399999999999, 'Brier');
    close(m.ece, 0.22599999999999998, 'ECE');
    assert.equal(
      m.bins.reduce((sum, b) => sum + b.count, 0),
      10,
    );
  });

  it('clips a zero probability of the actual label to 1e-15 instead of an infinite log loss', () => {
    const m = calibrationMetrics(2, [1], [1, 0]);
    close(m.logLoss, -Math.log(1e-15), 'clipped log loss');
    close(m.brier, 2, 'worst Brier');
  });
});
