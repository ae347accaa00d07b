/**
 * The test-split metrics exactly as test/reference/sklearn_reference.py computes them, so ModelDesk's
 * fits are compared with the reference JSON number for number (probabilities: rows × classes, row-major).
 */
export interface ReferenceMetrics {
  accuracy: number;
  logLoss: number;
  brier: number;
  ece: number;
  meanAbsProbabilityError?: number;
}

export function referenceMetrics(
  y: ArrayLike<number>,
  probabilities: Float64Array,
  classes: number,
  trueProbabilities?: Float64Array,
): ReferenceMetrics {
  const n = y.length;
  const bins = Array.from({ length: 15 }, () => ({ count: 0, confidence: 0, correct: 0 }));
  let correct = 0;
  let logLoss = 0;
  let brier = 0;
  for (let i = 0; i < n; i += 1) {
    const row = probabilities.subarray(i * classes, i * classes + classes);
    let top = 0;
    for (let k = 1; k < classes; k += 1) if (row[k]! > row[top]!) top = k;
    const hit = top === y[i] ? 1 : 0;
    correct += hit;
    logLoss -= Math.log(Math.min(1, Math.max(row[y[i]!]!, 1e-15)));
    for (let k = 0; k < classes; k += 1) brier += (row[k]! - (k === y[i] ? 1 : 0)) ** 2;
    const bin = bins[Math.min(Math.floor(row[top]! * 15), 14)]!;
    bin.count += 1;
    bin.confidence += row[top]!;
    bin.correct += hit;
  }
  const ece = bins.reduce((sum, b) => sum + Math.abs(b.correct - b.confidence) / n, 0);
  const metrics: ReferenceMetrics = { accuracy: correct / n, logLoss: logLoss / n, brier: brier / n, ece };
  if (trueProbabilities) {
    let error = 0;
    for (let i = 0; i < probabilities.length; i += 1) error += Math.abs(probabilities[i]! - trueProbabilities[i]!);
    metrics.meanAbsProbabilityError = error / probabilities.length;
  }
  return metrics;
}
