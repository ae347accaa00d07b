/**
 * The process that checks an uploaded ONNX file (started by check-model.ts, never imported by the
 * server). Everything that touches the untrusted bytes runs here: the protobuf parse, onnxruntime's
 * session (whose graph optimisations, e.g. constant folding of an Expand to [16000, 16000], allocate
 * natively), the sample run and the evaluation. The parent caps this process's address space before
 * it sends the file, and kills it past the time limit, so a hostile file costs this process only.
 *
 * Protocol (IPC, advanced serialisation): → parent `{ type: 'ready', vmSizeKb }`; ← `CheckRequest`;
 * → `CheckReply`; exit.
 */
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { DomainError, InvalidInput } from '../errors/domain-error.js';
import { checkPredictions } from '../ml/check-predictions.js';
import { evaluate } from '../ml/metrics.js';
import {
  classifierFromSession,
  predictInChunks,
  SESSION_OPTIONS,
  type ClassifierInputs,
} from '../ml/onnx-classifier.js';
import { notOnnx, readOnnxModel } from '../ml/onnx-model-proto.js';
import { matchSignature } from '../ml/onnx-signature.js';
import {
  isOutOfMemory,
  MODEL_CHECK_OUT_OF_MEMORY,
  type CheckedModel,
  type CheckReply,
  type CheckRequest,
} from './check-model.js';

class OutOfMemory extends Error {}

/** onnxruntime's own errors: out of memory (the cap) or, otherwise, `wrap`'s domain error. */
async function guarded<T>(work: () => Promise<T>, wrap: (message: string) => DomainError): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (isOutOfMemory(message)) throw new OutOfMemory(message);
    throw wrap(message);
  }
}

async function check(request: CheckRequest): Promise<CheckedModel> {
  const { fileName, bytes, dataset } = request;
  const facts = readOnnxModel(bytes, fileName);
  const session = await guarded(
    () => ort.InferenceSession.create(bytes, SESSION_OPTIONS),
    (message) => notOnnx(fileName, message),
  );
  try {
    const { signature, labelsFrom } = matchSignature({
      fileName,
      inputs: session.inputMetadata,
      outputs: session.outputMetadata,
      metadata: facts.metadata,
      dataset,
      labels: request.labels,
    });
    const declaredInput = session.inputMetadata[0]!;
    const classifier = classifierFromSession(session, signature);
    const rows = (inputs: ClassifierInputs, count: number) => `${count} records of dataset "${dataset.name}"`;
    const runFailed = (inputs: ClassifierInputs, count: number) => (message: string) =>
      new InvalidInput(
        'onnx.run_failed',
        `"${fileName}" failed when run on ${rows(inputs, count)} (input "${signature.input.name}": ${signature.input.type} [${signature.input.shape.join(', ')}]): ${message.length > 300 ? `${message.slice(0, 300)}…` : message}`,
      );
    const { sample, test } = request;
    if (sample.ids.length === 0)
      throw new InvalidInput(
        'dataset.empty',
        `Dataset "${dataset.name}" has no records to try the model on: add records first.`,
      );
    const prediction = await guarded(
      () => classifier.predict(sample.inputs, { labelOutput: true }),
      runFailed(sample.inputs, sample.ids.length),
    );
    checkPredictions(prediction, signature, (i) => `record ${sample.ids[i]}`);

    // Only test rows whose label the model knows (the class order is the dataset's labels, reordered).
    const keep = test.labels.map((label, i) => (signature.labels.includes(label) ? i : -1)).filter((i) => i >= 0);
    const inputs = selectRows(test.inputs, keep, test.labels.length);
    const probabilities = await guarded(() => predictInChunks(classifier, inputs), runFailed(inputs, keep.length));
    const metrics =
      keep.length > 0
        ? {
            ...evaluate(
              signature.labels,
              keep.map((i) => signature.labels.indexOf(test.labels[i]!)),
              probabilities,
            ),
            evaluatedOn: { split: 'test', rows: keep.length },
          }
        : { rows: 0, note: 'no labelled test rows', evaluatedOn: { split: 'test', rows: 0 } };
    return {
      facts,
      signature,
      labelsFrom,
      declaredInputShape: declaredInput.isTensor ? [...declaredInput.shape] : [],
      sampleRows: sample.ids.length,
      testRows: keep.length,
      metrics: metrics as unknown as Record<string, unknown>,
    };
  } finally {
    await session.release();
  }
}

function selectRows(inputs: ClassifierInputs, keep: readonly number[], total: number): ClassifierInputs {
  if (keep.length === total) return inputs;
  if (!(inputs instanceof Float32Array)) return keep.map((i) => inputs[i]!);
  const width = total === 0 ? 0 : inputs.length / total;
  const out = new Float32Array(keep.length * width);
  keep.forEach((row, i) => out.set(inputs.subarray(row * width, (row + 1) * width), i * width));
  return out;
}

function vmSizeKb(): number {
  const match = /^VmSize:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : 0;
}

function reply(message: CheckReply | { type: 'ready'; vmSizeKb: number }): void {
  process.send!(message);
}

process.once('message', (request: CheckRequest) => {
  check(request)
    .then(
      (result) => reply({ type: 'result', ok: true, result }),
      (error: unknown) => {
        if (error instanceof DomainError)
          reply({
            type: 'result',
            ok: false,
            error: { code: error.code, message: error.message, fields: error.fields },
          });
        else if (
          error instanceof OutOfMemory ||
          (error instanceof RangeError && /allocation failed|out of memory/i.test(error.message))
        )
          reply({ type: 'result', ok: false, error: { code: MODEL_CHECK_OUT_OF_MEMORY, message: error.message } });
        else
          reply({
            type: 'result',
            ok: false,
            error: { code: 'onnx.check_failed', message: error instanceof Error ? error.message : String(error) },
          });
      },
    )
    .finally(() => process.disconnect());
});

// onnxruntime is loaded: this is the process's own size, which the memory cap is counted on top of.
reply({ type: 'ready', vmSizeKb: vmSizeKb() });
