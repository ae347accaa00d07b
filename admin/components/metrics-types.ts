import type { ReviewedReport } from '../../src/ml/reviewed/reviewed-report.js';

/** The shape of `model_versions.metrics` as the console reads it (see src/ml/metrics.ts). */
export interface VersionMetrics {
  rows?: number;
  accuracy?: number;
  macroF1?: number;
  rocAuc?: number | null;
  labels?: string[];
  perClass?: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion?: number[][];
  roc?: Array<{ fpr: number; tpr: number }> | null;
  note?: string;
  /** src/ml/calibration/calibration-metrics.ts; absent on versions evaluated before it existed. */
  calibration?: {
    logLoss: number;
    brier: number;
    ece: number;
    bins: Array<{ from: number; to: number; count: number; confidence: number; accuracy: number }>;
    temperature?: number;
    heldOut?: { rows: number; logLossBefore: number; logLossAfter: number; kept?: string };
  };
  /** How the fit ended (trained versions; uploads have none). */
  training?: { solver: string; iterations: number; maxIterations: number; converged: boolean; gradientNorm: number };
  /** A retraining with reviewed records (src/ml/reviewed/): what it learned from, its held-out numbers. */
  reviewed?: ReviewedReport;
}

export const percent = (value: number | null | undefined) =>
  typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—';
