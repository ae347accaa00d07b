/** One bin of the reliability diagram: rows whose top-label confidence falls in (from, to]. */
export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  /** Mean top-label probability of the rows in the bin. */
  confidence: number;
  /** Share of the rows in the bin whose top label is the actual one. */
  accuracy: number;
}

/** How far the probabilities can be taken at their word, as stored in `metrics.calibration`. */
export interface CalibrationMetrics {
  /** Mean of −log p(actual label), p clipped to [1e-15, 1] (as scikit-learn's log_loss). */
  logLoss: number;
  /**
   * Mean over rows of Σ_k (p_k − y_k)², y one-hot: the multi-class Brier score (0 best, 2 worst).
   * For two labels it is twice scikit-learn's brier_score_loss, which scores the positive class only.
   */
  brier: number;
  /** Expected calibration error: Σ_bins (count / rows)·|accuracy − confidence| over equal-width bins. */
  ece: number;
  /** The non-empty bins only, in order. */
  bins: ReliabilityBin[];
  /** Set when the version was trained with temperature scaling (see temperature.ts). */
  temperature?: number;
  /** The held-out part of train the temperature was fitted on, and its log loss before and after. */
  heldOut?: { rows: number; logLossBefore: number; logLossAfter: number; kept?: string };
}

/** 15 equal-width bins of top-label confidence, as in Guo et al. 2017 and the reference numbers. */
export const CALIBRATION_BINS = 15;
const EPSILON = 1e-15;

/** `probabilities` is rows × k, row-major; `actual` are label indices. */
export function calibrationMetrics(
  k: number,
  actual: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  binCount = CALIBRATION_BINS,
): CalibrationMetrics {
  const n = actual.length;
  const counts = new Float64Array(binCount);
  const confidenceSums = new Float64Array(binCount);
  const correctSums = new Float64Array(binCount);
  let logLoss = 0;
  let brier = 0;
  for (let i = 0; i < n; i += 1) {
    const y = actual[i]!;
    let top = 0;
    for (let c = 0; c < k; c += 1) {
      const p = probabilities[i * k + c]!;
      brier += (p - (c === y ? 1 : 0)) ** 2;
      if (p > probabilities[i * k + top]!) top = c;
    }
    logLoss -= Math.log(Math.min(1, Math.max(EPSILON, probabilities[i * k + y]!)));
    const confidence = probabilities[i * k + top]!;
    // Bins are (from, to]: a confidence of exactly 0.6 belongs to the bin ending at 0.6.
    const bin = Math.min(binCount - 1, Math.max(0, Math.ceil(confidence * binCount) - 1));
    counts[bin]! += 1;
    confidenceSums[bin]! += confidence;
    if (top === y) correctSums[bin]! += 1;
  }
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < binCount; b += 1) {
    const count = counts[b]!;
    if (count === 0) continue;
    const confidence = confidenceSums[b]! / count;
    const accuracy = correctSums[b]! / count;
    ece += (count / n) * Math.abs(accuracy - confidence);
    bins.push({ from: b / binCount, to: (b + 1) / binCount, count, confidence, accuracy });
  }
  return { logLoss: n > 0 ? logLoss / n : 0, brier: n > 0 ? brier / n : 0, ece, bins };
}
