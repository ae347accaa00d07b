import type { FeatureSpec } from '../../../models/enums.js';
import { encodeRecordFeatures } from '../model-inputs.js';
import type { DenseMatrix } from '../sparse-matrix.js';

// Kept here for the modules that read numbers as the encoder does (record checks, CSV import).
export { numberOf } from '../model-inputs.js';

/**
 * How a tabular model reads its input: one float per schema feature, in schema order. Numbers as they
 * are; categories as their index in the schema's category list; missing (null) as NaN. This float row
 * is the ONNX model's input, so any client can call the model with the schema alone. The rule itself
 * (and its float32 range) is model-inputs.ts's; this is a stored record's row for training.
 */
export function encodeRow(
  features: Readonly<Record<string, unknown>>,
  schema: readonly FeatureSpec[],
  rowLabel = 'row',
): Float64Array {
  const row = new Float64Array(schema.length);
  encodeRecordFeatures(features, schema, row, 0, rowLabel);
  return row;
}

/** What standardisation learned from the training rows: per numeric feature, mean and spread. */
export interface Standardiser {
  numeric: number[];
  mean: number[];
  std: number[];
  categorical: Array<{ column: number; size: number }>;
  /** Width of the encoded vector: numeric features + one column per category. */
  width: number;
}

export function fitStandardiser(rows: readonly Float64Array[], schema: readonly FeatureSpec[]): Standardiser {
  const numeric: number[] = [];
  const categorical: Standardiser['categorical'] = [];
  schema.forEach((spec, j) =>
    spec.type === 'number' ? numeric.push(j) : categorical.push({ column: j, size: spec.categories?.length ?? 0 }),
  );
  const mean = numeric.map((j) => {
    let sum = 0;
    let n = 0;
    for (const row of rows)
      if (!Number.isNaN(row[j]!)) {
        sum += row[j]!;
        n += 1;
      }
    return n > 0 ? sum / n : 0;
  });
  const std = numeric.map((j, i) => {
    let sum = 0;
    let n = 0;
    for (const row of rows)
      if (!Number.isNaN(row[j]!)) {
        sum += (row[j]! - mean[i]!) ** 2;
        n += 1;
      }
    const s = n > 1 ? Math.sqrt(sum / n) : 0;
    return s > 1e-12 ? s : 1;
  });
  return { numeric, mean, std, categorical, width: numeric.length + categorical.reduce((w, c) => w + c.size, 0) };
}

/** Encoded row → model input: standardised numbers (missing → 0, the mean), one-hot categories. */
export function transformRow(row: Float64Array, s: Standardiser, out: Float64Array, offset = 0): void {
  let at = offset;
  s.numeric.forEach((j, i) => {
    const v = row[j]!;
    out[at++] = Number.isNaN(v) ? 0 : (v - s.mean[i]!) / s.std[i]!;
  });
  for (const { column, size } of s.categorical) {
    const v = row[column]!;
    for (let c = 0; c < size; c += 1) out[at++] = v === c ? 1 : 0;
  }
}

/** Encoded rows → the model's input matrix (standardised numbers, one-hot categories). */
export function encodeMatrix(rows: readonly Float64Array[], standardiser: Standardiser): DenseMatrix {
  const data = new Float64Array(rows.length * standardiser.width);
  rows.forEach((row, i) => transformRow(row, standardiser, data, i * standardiser.width));
  return { rows: rows.length, cols: standardiser.width, data };
}
