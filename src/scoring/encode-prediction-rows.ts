import { BINARY_COPY_TRAILER, binaryCopyHeader } from '../db/copy-binary.js';
import { uncertaintyOf } from '../ml/uncertainty.js';
import type { ModelOutput } from './run-model.js';

export interface EncodedPredictions {
  ids: number[];
  /** The smallest and largest of `ids`. */
  firstId: number;
  lastId: number;
  /** Rows of record_predictions in binary COPY format, in the order of PREDICTION_COLUMNS. */
  data: Buffer;
  /** Predictions per class, in the version's label order. */
  labelCounts: number[];
}

/** The columns each encoded row fills, in order (the COPY statement names them from here). */
export const PREDICTION_COLUMNS = [
  'record_id',
  'model_version_id',
  'predicted_label',
  'score',
  'probabilities',
  'job_id',
  'margin',
  'entropy',
] as const;

/**
 * The chunk's predictions as binary COPY rows (no number is turned into text and parsed back). The
 * probabilities are finite (checked before: a model answering NaN fails the job). Margin and entropy
 * (src/ml/uncertainty.ts) are computed in the same pass that finds the predicted label.
 */
export function encodePredictionRows(
  chunkIds: readonly number[],
  output: Pick<ModelOutput, 'rows' | 'probabilities'>,
  labels: readonly string[],
  versionId: number,
  jobId: number,
): EncodedPredictions {
  const { rows, probabilities } = output;
  const k = labels.length;
  const labelBytes = labels.map((label) => Buffer.from(label, 'utf8'));
  const labelCounts = labels.map(() => 0);
  const longest = Math.max(...labelBytes.map((b) => b.length));
  const rowBytes = 2 + (4 + 8) + (4 + 4) + (4 + longest) + (4 + 4) + (4 + 20 + 8 * k) + (4 + 8) + 2 * (4 + 4);
  const data = Buffer.allocUnsafe(19 + rows.length * rowBytes + 2);
  let at = binaryCopyHeader().copy(data, 0);
  const ids: number[] = [];
  const job = BigInt(jobId);
  rows.forEach((row, n) => {
    const id = chunkIds[row]!;
    const { best, margin, entropy } = uncertaintyOf(probabilities, n, k);
    at = data.writeInt16BE(PREDICTION_COLUMNS.length, at);
    at = data.writeInt32BE(8, at);
    at = data.writeUInt32BE(Math.floor(id / 2 ** 32), at); // int8 as two halves: no BigInt per row
    at = data.writeUInt32BE(id >>> 0, at);
    at = data.writeInt32BE(4, at);
    at = data.writeInt32BE(versionId, at);
    at = data.writeInt32BE(labelBytes[best]!.length, at);
    at += labelBytes[best]!.copy(data, at);
    at = data.writeInt32BE(4, at);
    at = data.writeFloatBE(Math.min(1, Math.max(0, probabilities[n * k + best]!)), at);
    at = data.writeInt32BE(20 + 8 * k, at);
    at = data.writeInt32BE(1, at); // dimensions
    at = data.writeInt32BE(0, at); // no NULLs
    at = data.writeInt32BE(700, at); // float4
    at = data.writeInt32BE(k, at);
    at = data.writeInt32BE(1, at); // lower bound
    for (let c = 0; c < k; c += 1) {
      at = data.writeInt32BE(4, at);
      at = data.writeFloatBE(probabilities[n * k + c]!, at);
    }
    at = data.writeInt32BE(8, at);
    at = data.writeBigInt64BE(job, at);
    at = data.writeInt32BE(4, at);
    at = data.writeFloatBE(margin, at);
    at = data.writeInt32BE(4, at);
    at = data.writeFloatBE(entropy, at);
    labelCounts[best] = labelCounts[best]! + 1;
    ids.push(id);
  });
  at += BINARY_COPY_TRAILER.copy(data, at);
  let [firstId, lastId] = [Number.POSITIVE_INFINITY, 0];
  for (const id of ids) [firstId, lastId] = [Math.min(firstId, id), Math.max(lastId, id)];
  return { ids, firstId: ids.length ? firstId : 0, lastId, data: data.subarray(0, at), labelCounts };
}
