/**
 * `model_versions.metrics.reviewed`: what a "retrain with reviewed records" learned from and how the new
 * version did on the reviewed records held out of its training. No Node imports: the console's bundle
 * (ReviewedReport.tsx) and the CLI read it alike.
 */
export interface ReviewedReport {
  /** Labels set through a review queue at or after this time (ISO) counted as reviewed. */
  since: string;
  /** The version whose creation time was `since` ("since the latest version"), else absent. */
  sinceVersion?: number;
  /** Reviewed train rows the version was trained on. */
  learnedFrom: number;
  /** Reviewed train rows held out (never trained on) and evaluated. */
  heldOut: number;
  /** evaluate() on the held-out rows whose label the version knows; null when none was held out. */
  metrics: ReviewedMetrics | null;
  /** Why there are no metrics, or rows that could not be evaluated. */
  note?: string;
}

/** The part of evaluate()'s result the report reads (the stored object has all of it). */
export interface ReviewedMetrics {
  rows: number;
  accuracy: number;
  macroF1: number;
  calibration: { logLoss: number; brier: number; ece: number };
}

/** "since 2026-12-07 22:00 UTC" or "since v3 was created (2026-12-07 22:00 UTC)". */
export function describeSince(report: Pick<ReviewedReport, 'since' | 'sinceVersion'>): string {
  const at = `${report.since.slice(0, 16).replace('T', ' ')} UTC`;
  return report.sinceVersion === undefined ? `since ${at}` : `since v${report.sinceVersion} was created (${at})`;
}

/** One paragraph for the CLI and the job page. */
export function describeReviewed(report: ReviewedReport): string {
  const learned = `Learned from ${report.learnedFrom} reviewed record(s) labelled through a review queue ${describeSince(report)}`;
  if (!report.metrics)
    return `${learned}; ${report.heldOut} held out: ${report.note ?? 'too few reviewed records to hold any out'}.`;
  const m = report.metrics;
  return `${learned}; on ${m.rows} held-out reviewed record(s), never trained on: accuracy ${(m.accuracy * 100).toFixed(1)}%, macro F1 ${m.macroF1.toFixed(3)}, log loss ${m.calibration.logLoss.toFixed(4)}, Brier ${m.calibration.brier.toFixed(4)}, ECE ${m.calibration.ece.toFixed(4)}.`;
}
