import ort from 'onnxruntime-node';
import * as z from 'zod';
import { InvalidInput } from '../errors/domain-error.js';

const Dim = z.union([z.number().int().nonnegative(), z.string()]);

/**
 * How to run a classifier: its one input tensor, the float output holding the class probabilities,
 * the optional label output, and the class names in probability-column order. Stored in a version's
 * `inputSchema`/`outputSchema`; in-house versions predate the `name` fields, hence the defaults.
 */
export const ClassifierSignature = z.object({
  input: z.object({
    name: z.string().min(1),
    type: z.enum(['float32', 'string']),
    /** As fed: `batch` first, then (float) the feature count or (string) nothing or 1. */
    shape: z.array(Dim).min(1).max(2),
  }),
  probabilities: z.object({ name: z.string().min(1).default('probabilities') }),
  label: z.object({ name: z.string().min(1).default('label'), type: z.string() }).nullish(),
  labels: z.array(z.string()).min(2),
});
export type ClassifierSignature = z.infer<typeof ClassifierSignature>;

/** The signature of a registered version, read from its stored schemas. */
export function signatureOf(version: { inputSchema: unknown; outputSchema: unknown }): ClassifierSignature {
  const output = z
    .object({ probabilities: z.unknown(), label: z.unknown(), labels: z.unknown() })
    .parse(version.outputSchema);
  return ClassifierSignature.parse({ input: version.inputSchema, ...output });
}

/** A batch to score: float rows (n × features, row-major) for a tabular model, strings for a text model. */
export type ClassifierInputs = Float32Array | readonly string[];

export interface Prediction {
  rows: number;
  /** n × labels.length, row-major, in `signature.labels` order. */
  probabilities: Float32Array;
  /** Per row, the column of the highest probability (the first on ties). */
  labelIndex: Int32Array;
  /** The model's own label output, when asked for and the model has one. */
  labelOutput?: ReadonlyArray<string | bigint | number>;
}

export interface Classifier {
  readonly signature: ClassifierSignature;
  predict(inputs: ClassifierInputs, options?: { labelOutput?: boolean }): Promise<Prediction>;
  release(): Promise<void>;
}

/**
 * How ModelDesk opens every ONNX session: one intra-op thread and no spinning. By default
 * onnxruntime keeps a thread per core busy-waiting after each run; on a small machine that CPU is
 * taken from Postgres (measured: scoring a million records, the worker's idle onnxruntime threads
 * used about 5 s of CPU). The models are small: their batches run fast on one thread.
 */
export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

/** Opens an ONNX classifier with onnxruntime-node (CPU). Call `release()` when done. */
export async function openClassifier(bytes: Uint8Array, signature: ClassifierSignature): Promise<Classifier> {
  return classifierFromSession(await ort.InferenceSession.create(bytes, SESSION_OPTIONS), signature);
}

/**
 * Wraps an open session. `session.run` holds the calling thread for the whole batch: callers with
 * large inputs use `predictInChunks` (or a worker thread) to keep the event loop responsive.
 */
export function classifierFromSession(session: ort.InferenceSession, signature: ClassifierSignature): Classifier {
  const k = signature.labels.length;
  return {
    signature,
    async predict(inputs, options = {}) {
      const { tensor, rows } = inputTensor(signature, inputs);
      const wanted = [
        signature.probabilities.name,
        ...(options.labelOutput && signature.label ? [signature.label.name] : []),
      ];
      const out = await session.run({ [signature.input.name]: tensor }, wanted);
      const probabilities = out[signature.probabilities.name]!;
      if (
        probabilities.type !== 'float32' ||
        probabilities.dims.length !== 2 ||
        probabilities.dims[0] !== rows ||
        probabilities.dims[1] !== k
      ) {
        throw new InvalidInput(
          'onnx.output_shape',
          `Output "${signature.probabilities.name}" came back as ${probabilities.type} [${probabilities.dims.join(', ')}] for ${rows} rows; expected float32 [${rows}, ${k}], one probability per class (${signature.labels.join(', ')}).`,
        );
      }
      const data = probabilities.data as Float32Array;
      const label = options.labelOutput && signature.label ? out[signature.label.name] : undefined;
      return {
        rows,
        probabilities: data,
        labelIndex: argmaxRows(data, rows, k),
        ...(label ? { labelOutput: Array.from(label.data as ArrayLike<string | bigint | number>) } : {}),
      };
    },
    release: () => session.release(),
  };
}

/** Scores a large input in chunks, yielding to the event loop between them. */
export async function predictInChunks(
  classifier: Classifier,
  inputs: ClassifierInputs,
  chunkRows = 1_024,
): Promise<Float32Array> {
  const width = featureWidth(classifier.signature);
  const rows = inputs instanceof Float32Array ? inputs.length / width : inputs.length;
  const out = new Float32Array(rows * classifier.signature.labels.length);
  for (let start = 0; start < rows; start += chunkRows) {
    const end = Math.min(rows, start + chunkRows);
    const chunk =
      inputs instanceof Float32Array ? inputs.subarray(start * width, end * width) : inputs.slice(start, end);
    out.set((await classifier.predict(chunk)).probabilities, start * classifier.signature.labels.length);
    // `run` holds the thread: let timers and I/O (heartbeats, other requests) in between chunks.
    if (end < rows) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

function inputTensor(signature: ClassifierSignature, inputs: ClassifierInputs): { tensor: ort.Tensor; rows: number } {
  const { input } = signature;
  if (input.type === 'string') {
    if (inputs instanceof Float32Array)
      throw new InvalidInput('onnx.input_type', `Input "${input.name}" takes text, not numbers.`);
    const texts = [...inputs];
    return {
      tensor: new ort.Tensor('string', texts, input.shape.length === 2 ? [texts.length, 1] : [texts.length]),
      rows: texts.length,
    };
  }
  if (!(inputs instanceof Float32Array))
    throw new InvalidInput('onnx.input_type', `Input "${input.name}" takes float rows, not text.`);
  const width = featureWidth(signature);
  if (inputs.length % width !== 0)
    throw new InvalidInput(
      'onnx.input_shape',
      `Input "${input.name}" takes rows of ${width} floats; got ${inputs.length} values.`,
    );
  return { tensor: new ort.Tensor('float32', inputs, [inputs.length / width, width]), rows: inputs.length / width };
}

export function featureWidth(signature: ClassifierSignature): number {
  const width = signature.input.shape[1];
  return typeof width === 'number' ? width : 1;
}

function argmaxRows(data: Float32Array, rows: number, k: number): Int32Array {
  const index = new Int32Array(rows);
  for (let i = 0; i < rows; i += 1) {
    let best = 0;
    for (let c = 1; c < k; c += 1) if (data[i * k + c]! > data[i * k + best]!) best = c;
    index[i] = best;
  }
  return index;
}
