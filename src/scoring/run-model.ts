import { text } from '../db/copy-binary.js';
import { nonFiniteRows, outputNotFinite } from '../ml/runtime/finite-output.js';
import { predictInChunks, type ClassifierInputs } from '../ml/onnx-classifier.js';
import type { ScoringModel } from './open-scoring-model.js';
import type { RecordChunk } from './read-record-chunk.js';
import type { InvalidRecord } from './record-progress.js';

/** Rows per onnxruntime `run` (text models build a dense TF-IDF matrix per run: keep those smaller). */
const INFER_ROWS = { tabular: 8_192, text: 1_024 } as const;

export interface ModelOutput {
  /** The chunk rows (indices into its ids) that were scored, in order. */
  rows: number[];
  /** rows × labels, row-major, in the version's label order; all finite. */
  probabilities: Float32Array;
  /** The chunk's records whose input does not fit the model, in chunk order. */
  invalid: InvalidRecord[];
}

/**
 * Scores the chunk's records that fit the model. NaN or infinite probabilities are the model's
 * failure, not a record's: the job fails (with the chunks before this one committed) rather than
 * storing predictions that are not numbers.
 */
export async function runModel(model: ScoringModel, chunk: RecordChunk): Promise<ModelOutput> {
  const { inputs, rows, invalid } = chunk.kind === 'text' ? textInputs(chunk) : tabularInputs(chunk, model.width);
  const probabilities = rows.length
    ? await predictInChunks(model.classifier, inputs, INFER_ROWS[chunk.kind])
    : new Float32Array(0);
  const broken = nonFiniteRows(probabilities, rows.length, model.labels.length);
  if (broken.length > 0) {
    const first = broken[0]!;
    const missingInputs =
      inputs instanceof Float32Array &&
      inputs.subarray(first * model.width, (first + 1) * model.width).some(Number.isNaN);
    throw outputNotFinite(
      { modelName: model.name, version: model.version },
      broken.map((n) => `record ${chunk.ids[rows[n]!]}`),
      missingInputs,
    );
  }
  return { rows, probabilities, invalid };
}

type ModelInputs = Pick<ModelOutput, 'rows' | 'invalid'> & { inputs: ClassifierInputs };

/** Feature rows in schema order, as the encoder (model-inputs.ts) reads them; rows that do not fit are left out. */
function tabularInputs(chunk: Extract<RecordChunk, { kind: 'tabular' }>, width: number): ModelInputs {
  const rows: number[] = [];
  const invalid: InvalidRecord[] = [];
  const { values } = chunk;
  chunk.ids.forEach((id, i) => {
    const reason = chunk.invalid.get(i);
    if (reason) return void invalid.push({ id, reason });
    if (rows.length !== i) values.copyWithin(rows.length * width, i * width, (i + 1) * width); // close the gap left by invalid rows
    rows.push(i);
  });
  return { inputs: values.subarray(0, rows.length * width), rows, invalid };
}

function textInputs(chunk: Extract<RecordChunk, { kind: 'text' }>): ModelInputs {
  const inputs: string[] = [];
  const rows: number[] = [];
  const invalid: InvalidRecord[] = [];
  chunk.texts.forEach((field, i) => {
    if (field === null) return void invalid.push({ id: chunk.ids[i]!, reason: 'no text' });
    inputs.push(text(field));
    rows.push(i);
  });
  return { inputs, rows, invalid };
}
