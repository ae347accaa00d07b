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
}

export const percent = (value: number | null | undefined) =>
  typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—';
