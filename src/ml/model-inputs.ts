import type { DatasetTask, FeatureSpec } from '../../models/enums.js';
import type { ClassifierInputs } from './onnx-classifier.js';
import { encodeRow } from './tabular/tabular-encoder.js';

export interface InputRecord {
  id: number;
  text: string | null;
  features: Readonly<Record<string, unknown>> | null;
}

/**
 * Records → what a classifier of their dataset takes: the raw texts, or float rows of the features
 * in schema order (encoded as every ModelDesk model reads them, see tabular-encoder.ts).
 */
export function encodeInputs(dataset: { task: DatasetTask; featureSchema: readonly FeatureSpec[] }, records: readonly InputRecord[]): ClassifierInputs {
  if (dataset.task === 'text-classification') return records.map((r) => r.text ?? '');
  const width = dataset.featureSchema.length;
  const rows = new Float32Array(records.length * width);
  records.forEach((r, i) => rows.set(encodeRow(r.features ?? {}, dataset.featureSchema, `record ${r.id}`), i * width));
  return rows;
}
