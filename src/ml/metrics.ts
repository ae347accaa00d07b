import { calibrationMetrics, type CalibrationMetrics } from './calibration/calibration-metrics.js';

/** Evaluation of a classifier on labelled rows, as stored in `model_versions.metrics`. */
export interface ClassificationMetrics {
  rows: number;
  accuracy: number;
  labels: string[];
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  macroF1: number;
  /** confusion[actual][predicted], in `labels` order. */
  confusion: number[][];
  /** Binary: AUC of the second label's score. Multi-class: macro average of one-vs-rest AUCs. */
  rocAuc: number | null;
  /** Binary: ROC curve points of the second label (at most ~100, evenly thinned). */
  roc: Array<{ fpr: number; tpr: number; threshold: number }> | null;
  /** Log loss, Brier score, ECE and the reliability bins: can the probabilities be taken at their word? */
  calibration: CalibrationMetrics;
}

/** `probabilities` is rows × labels.length, row-major; `actual` are indices into `labels`. */
export function evaluate(
  labels: readonly string[],
  actual: ArrayLike<number>,
  probabilities: ArrayLike<number>,
): ClassificationMetrics {
  const k = labels.length;
  const n = actual.length;
  const confusion = labels.map(() => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i += 1) {
    let best = 0;
    for (let c = 1; c < k; c += 1) if (probabilities[i * k + c]! > probabilities[i * k + best]!) best = c;
    confusion[actual[i]!]![best]! += 1;
    if (best === actual[i]) correct += 1;
  }
  const perClass: ClassificationMetrics['perClass'] = {};
  labels.forEach((label, c) => {
    const tp = confusion[c]![c]!;
    const predicted = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    perClass[label] = {
      precision,
      recall,
      f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
      support,
    };
  });
  const scoresFor = (c: number) => Float64Array.from({ length: n }, (_, i) => probabilities[i * k + c]!);
  const positivesFor = (c: number) => Uint8Array.from({ length: n }, (_, i) => (actual[i] === c ? 1 : 0));
  let rocAuc: number | null = null;
  let roc: ClassificationMetrics['roc'] = null;
  if (k === 2) {
    const curve = rocCurve(scoresFor(1), positivesFor(1));
    rocAuc = curve.auc;
    roc = curve.points;
  } else if (k > 2) {
    const aucs = labels
      .map((_, c) => rocCurve(scoresFor(c), positivesFor(c)).auc)
      .filter((a): a is number => a !== null);
    rocAuc = aucs.length > 0 ? aucs.reduce((a, b) => a + b, 0) / aucs.length : null;
  }
  const f1s = Object.values(perClass).map((m) => m.f1);
  return {
    rows: n,
    accuracy: n > 0 ? correct / n : 0,
    labels: [...labels],
    perClass,
    macroF1: f1s.reduce((a, b) => a + b, 0) / Math.max(1, f1s.length),
    confusion,
    rocAuc,
    roc,
    calibration: calibrationMetrics(k, actual, probabilities),
  };
}

/** ROC by sweeping thresholds over the sorted scores (ties handled together); AUC by trapezoids. */
export function rocCurve(
  scores: Float64Array,
  positive: Uint8Array,
): { auc: number | null; points: Array<{ fpr: number; tpr: number; threshold: number }> } {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
  const totalPositive = positive.reduce((a, b) => a + b, 0);
  const totalNegative = positive.length - totalPositive;
  if (totalPositive === 0 || totalNegative === 0) return { auc: null, points: [] };
  const points = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i += 1) {
    const index = order[i]!;
    if (positive[index]) tp += 1;
    else fp += 1;
    if (i === order.length - 1 || scores[order[i + 1]!] !== scores[index])
      points.push({ fpr: fp / totalNegative, tpr: tp / totalPositive, threshold: scores[index]! });
  }
  let auc = 0;
  for (let i = 1; i < points.length; i += 1)
    auc += ((points[i]!.fpr - points[i - 1]!.fpr) * (points[i]!.tpr + points[i - 1]!.tpr)) / 2;
  const step = Math.max(1, Math.ceil(points.length / 100));
  const thinned = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  return { auc, points: thinned.map((p) => ({ ...p, threshold: Number.isFinite(p.threshold) ? p.threshold : 1 })) };
}
