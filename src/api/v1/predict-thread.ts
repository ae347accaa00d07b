// Runs in a worker thread of the web process (piscina, see predict-pool.ts): a large predict body
// is parsed, validated, encoded, scored and written as JSON here, so the web thread stays free for
// the other requests. The same rules as on the web thread (predict-input.ts).
import { ModelFault } from '../../errors/domain-error.js';
import { openClassifier, predictInChunks, type Classifier } from '../../ml/onnx-classifier.js';
import { pickSampled } from '../../monitoring/pick-sampled.js';
import { parseJson } from '../json-body.js';
import { HttpProblem, type FieldProblem } from '../problem.js';
import {
  encodeInstances,
  parsePredictBody,
  predictBodySchema,
  predictionsJson,
  type InputSpec,
} from './predict-input.js';

export interface LargePredictTask {
  versionId: number;
  /** The version's ONNX bytes, in memory shared with the web thread (not copied per task). */
  onnx: Uint8Array;
  spec: InputSpec;
  /** The request body as it came. */
  text: string;
  maxInstances: number;
  /** PREDICT_SAMPLE_RATE: the thread picks the sampled instances and hands back only those. */
  sampleRate: number;
}

/** The sampled instances of a large request: their inputs and probabilities, in the order picked. */
export interface SampledRows {
  inputs: Float32Array | string[];
  probabilities: Float32Array;
  count: number;
}

export type LargePredictResult =
  | { ok: true; predictions: string; rows: number; sampled: SampledRows | null }
  | { ok: false; problem: { status: number; code: string; message: string; errors?: FieldProblem[] } }
  /** The model's fault (a ModelFault: errors cross threads as plain objects, the pool rebuilds it). */
  | { ok: false; fault: { code: string; message: string; fields?: Record<string, string> } };

const sessions = new Map<number, Promise<Classifier>>();
const schemas = new Map<number, ReturnType<typeof predictBodySchema>>();

export default async function runLargePredict(task: LargePredictTask): Promise<LargePredictResult> {
  try {
    const raw = parseJson(task.text);
    let schema = schemas.get(task.maxInstances);
    if (!schema) schemas.set(task.maxInstances, (schema = predictBodySchema(task.maxInstances)));
    const body = parsePredictBody(raw, task.maxInstances, schema);
    const inputs = encodeInstances(task.spec, body.instances);
    let classifier = sessions.get(task.versionId);
    if (!classifier) {
      // onnxruntime reads models from ordinary memory only: one copy per version and thread.
      sessions.set(task.versionId, (classifier = openClassifier(Uint8Array.from(task.onnx), task.spec.signature)));
      classifier.catch(() => sessions.delete(task.versionId));
    }
    const probabilities = await predictInChunks(await classifier, inputs, 4_096);
    const predictions = predictionsJson(task.spec, probabilities, body.instances.length);
    return {
      ok: true,
      predictions,
      rows: body.instances.length,
      sampled: sampledRows(task, inputs, probabilities, body.instances.length),
    };
  } catch (error) {
    if (error instanceof ModelFault)
      return {
        ok: false,
        fault: { code: error.code, message: error.message, ...(error.fields ? { fields: { ...error.fields } } : {}) },
      };
    if (error instanceof HttpProblem)
      return {
        ok: false,
        problem: {
          status: error.status,
          code: error.code,
          message: error.message,
          ...(error.errors ? { errors: error.errors } : {}),
        },
      };
    throw error;
  }
}

/** The picked instances' rows copied out (only those cross back to the web thread). */
function sampledRows(
  task: LargePredictTask,
  inputs: Float32Array | readonly string[],
  probabilities: Float32Array,
  rows: number,
): SampledRows | null {
  const picked = pickSampled(rows, task.sampleRate);
  if (picked.length === 0) return null;
  const k = task.spec.signature.labels.length;
  const width = task.spec.width;
  const out = new Float32Array(picked.length * k);
  picked.forEach((row, n) => out.set(probabilities.subarray(row * k, (row + 1) * k), n * k));
  const sampledInputs =
    inputs instanceof Float32Array
      ? (() => {
          const vectors = new Float32Array(picked.length * width);
          picked.forEach((row, n) => vectors.set(inputs.subarray(row * width, (row + 1) * width), n * width));
          return vectors;
        })()
      : picked.map((row) => inputs[row]!);
  return { inputs: sampledInputs, probabilities: out, count: picked.length };
}
