import type { DatasetTask, FeatureSpec } from '../../models/enums.js';
import { InvalidInput } from '../errors/domain-error.js';
import type { ClassifierSignature } from './onnx-classifier.js';

/** An input or output as onnxruntime describes it (`session.inputMetadata` / `outputMetadata`). */
export type ValueInfo =
  | { readonly name: string; readonly isTensor: false }
  | {
      readonly name: string;
      readonly isTensor: true;
      readonly type: string;
      readonly shape: ReadonlyArray<number | string>;
    };

/** What an uploaded model must fit: the dataset it will be evaluated (and later used) on. */
export interface DatasetShape {
  name: string;
  task: DatasetTask;
  labels: readonly string[];
  featureSchema: readonly FeatureSpec[];
}

export interface SignatureRequest {
  fileName: string;
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  /** The file's `metadata_props`: `modeldesk.labels` (JSON array) gives the class order. */
  metadata: Readonly<Record<string, string>>;
  dataset: DatasetShape;
  /** Class labels in output-column order, as the uploader gave them. */
  labels?: readonly string[];
}

export type LabelSource = 'model metadata' | 'uploader' | 'dataset labels, sorted';

const ZIPMAP_HINT =
  "export the probabilities as a plain tensor: skl2onnx.to_onnx(model, X, options={id(model): {'zipmap': False}}) (or options={'zipmap': False})";

/**
 * Matches an ONNX model's inputs and outputs to a dataset: exactly one input of the dataset's kind
 * (float rows of its features, or strings), a float [batch, classes] probabilities output, an optional
 * label output, and the class order. Throws InvalidInput saying what does not fit and how to export it.
 */
export function matchSignature(request: SignatureRequest): { signature: ClassifierSignature; labelsFrom: LabelSource } {
  const { dataset, fileName } = request;
  const k = dataset.labels.length;
  if (k < 2) {
    throw new InvalidInput(
      'dataset.no_labels',
      `Dataset "${dataset.name}" has ${k === 0 ? 'no labels' : 'one label'}: give it its label set (at least two classes) before uploading a classifier for it.`,
    );
  }
  const sequences = request.outputs.filter((o) => !o.isTensor);
  if (sequences.length > 0) {
    throw new InvalidInput(
      'onnx.zipmap_output',
      `Output "${sequences[0]!.name}" of "${fileName}" is not a tensor but a sequence of maps (scikit-learn's ZipMap) or similar, which ModelDesk cannot read: ${ZIPMAP_HINT}.`,
    );
  }
  const input = matchInput(request);
  const tensors = request.outputs.filter((o): o is Extract<ValueInfo, { isTensor: true }> => o.isTensor);
  const probabilities = pickProbabilities(tensors, fileName, k, dataset);
  const label = tensors.filter(
    (o) => o !== probabilities && o.shape.length === 1 && (o.type === 'string' || o.type === 'int64'),
  );
  const labelOutput = label.find((o) => /label/i.test(o.name)) ?? (label.length === 1 ? label[0] : undefined);
  const { labels, labelsFrom } = classOrder(request);
  return {
    signature: {
      input,
      probabilities: { name: probabilities.name },
      label: labelOutput ? { name: labelOutput.name, type: labelOutput.type } : null,
      labels,
    },
    labelsFrom,
  };
}

function matchInput({ inputs, dataset, fileName, metadata }: SignatureRequest): ClassifierSignature['input'] {
  if (inputs.length !== 1) {
    throw new InvalidInput(
      'onnx.inputs',
      `"${fileName}" has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ') || 'none'}); ModelDesk feeds exactly one: ${inputHint(dataset)}.`,
    );
  }
  const input = inputs[0]!;
  if (!input.isTensor)
    throw new InvalidInput('onnx.input_type', `Input "${input.name}" is not a tensor: ${inputHint(dataset)}.`);
  const described = `${input.type} [${input.shape.map(dimText).join(', ')}]`;
  if (dataset.task === 'text-classification') {
    const rankOk =
      input.shape.length === 1 ||
      (input.shape.length === 2 && (input.shape[1] === 1 || typeof input.shape[1] === 'string'));
    if (input.type !== 'string' || !rankOk || typeof input.shape[0] === 'number') {
      throw new InvalidInput(
        'onnx.input_mismatch',
        `Input "${input.name}" is ${described}, but dataset "${dataset.name}" holds text: ${inputHint(dataset)}.`,
      );
    }
    return { name: input.name, type: 'string', shape: input.shape.length === 2 ? ['batch', 1] : ['batch'] };
  }
  const features = dataset.featureSchema.length;
  if (features === 0)
    throw new InvalidInput(
      'dataset.no_features',
      `Dataset "${dataset.name}" has no feature schema: define its features before uploading a model for it.`,
    );
  if (input.type === 'string') {
    throw new InvalidInput(
      'onnx.input_mismatch',
      `Input "${input.name}" takes strings (${described}), but dataset "${dataset.name}" is tabular: ${inputHint(dataset)}.`,
    );
  }
  if (input.type !== 'float32') {
    throw new InvalidInput(
      'onnx.input_mismatch',
      `Input "${input.name}" is ${described}; ModelDesk feeds float32: ${inputHint(dataset)}.`,
    );
  }
  if (input.shape.length !== 2 || typeof input.shape[0] === 'number') {
    throw new InvalidInput(
      'onnx.input_mismatch',
      `Input "${input.name}" has shape [${input.shape.map(dimText).join(', ')}]; ModelDesk feeds a batch of rows: ${inputHint(dataset)}.`,
    );
  }
  const width = input.shape[1]!;
  if (typeof width === 'number' && width !== features) {
    throw new InvalidInput(
      'onnx.feature_count',
      `Input "${input.name}" takes ${width} features per row, but dataset "${dataset.name}" has ${features} (${dataset.featureSchema.map((f) => f.name).join(', ')}): train on all of them, in this order.`,
    );
  }
  const declared = metadata['modeldesk.feature_schema'];
  if (declared !== undefined) {
    const names = parseJsonArray(declared, 'modeldesk.feature_schema')?.map((f) => (f as { name?: unknown })?.name);
    if (names && names.join('\u0000') !== dataset.featureSchema.map((f) => f.name).join('\u0000')) {
      throw new InvalidInput(
        'onnx.feature_schema',
        `"${fileName}" was exported for features ${names.join(', ')}, but dataset "${dataset.name}" has ${dataset.featureSchema.map((f) => f.name).join(', ')}: upload it to a model of the dataset it was trained on.`,
      );
    }
  }
  return { name: input.name, type: 'float32', shape: ['batch', features] };
}

function pickProbabilities(
  tensors: ReadonlyArray<Extract<ValueInfo, { isTensor: true }>>,
  fileName: string,
  k: number,
  dataset: DatasetShape,
) {
  const floats = tensors.filter((o) => o.type === 'float32');
  const named = floats.filter((o) => /prob/i.test(o.name));
  const candidates = named.length > 0 ? named : floats;
  if (candidates.length === 0) {
    const doubles = tensors.find((o) => o.type === 'float64');
    throw new InvalidInput(
      'onnx.no_probabilities',
      doubles
        ? `Output "${doubles.name}" holds doubles; ModelDesk reads float32 probabilities: export with a float input (FloatTensorType) so the outputs are float too.`
        : `"${fileName}" has no float output (outputs: ${tensors.map((o) => `${o.name}: ${o.type}`).join(', ') || 'none'}); ModelDesk needs the class probabilities as a float [batch, ${k}] tensor.`,
    );
  }
  if (candidates.length > 1) {
    throw new InvalidInput(
      'onnx.ambiguous_probabilities',
      `"${fileName}" has several float outputs (${candidates.map((o) => o.name).join(', ')}): name the one holding the class probabilities "probabilities" (or anything containing "prob").`,
    );
  }
  const chosen = candidates[0]!;
  if (chosen.shape.length !== 2) {
    throw new InvalidInput(
      'onnx.probabilities_shape',
      `Output "${chosen.name}" has shape [${chosen.shape.map(dimText).join(', ')}]; ModelDesk needs [batch, ${k}]: one row per input, one column per class.`,
    );
  }
  const classes = chosen.shape[1];
  if (typeof classes === 'number' && classes !== k) throw wrongClassCount(chosen.name, classes, dataset);
  return chosen;
}

function wrongClassCount(output: string, classes: number, dataset: DatasetShape): InvalidInput {
  return new InvalidInput(
    'onnx.class_count',
    `Output "${output}" gives ${classes} class probabilities, but dataset "${dataset.name}" has ${dataset.labels.length} labels (${dataset.labels.join(', ')}): the model must be trained on exactly these classes.`,
  );
}

function classOrder({ metadata, labels: given, dataset, fileName }: SignatureRequest): {
  labels: string[];
  labelsFrom: LabelSource;
} {
  const declared =
    metadata['modeldesk.labels'] === undefined
      ? undefined
      : parseJsonArray(metadata['modeldesk.labels'], 'modeldesk.labels');
  let labels: string[];
  let labelsFrom: LabelSource;
  if (declared) {
    labels = declared.map(String);
    labelsFrom = 'model metadata';
    if (given && given.join('\u0000') !== labels.join('\u0000')) {
      throw new InvalidInput(
        'onnx.labels_conflict',
        `"${fileName}" declares its class order (${labels.join(', ')}) in modeldesk.labels; leave the class labels empty or give exactly that order.`,
      );
    }
  } else if (given) {
    labels = [...given];
    labelsFrom = 'uploader';
  } else {
    labels = [...dataset.labels].sort();
    labelsFrom = 'dataset labels, sorted';
  }
  const expected = new Set(dataset.labels);
  const duplicates = labels.filter((l, i) => labels.indexOf(l) !== i);
  const unknown = labels.filter((l) => !expected.has(l));
  const missing = dataset.labels.filter((l) => !labels.includes(l));
  if (duplicates.length > 0 || unknown.length > 0 || missing.length > 0 || labels.length !== dataset.labels.length) {
    const problems = [
      unknown.length > 0 ? `not in the dataset: ${unknown.join(', ')}` : '',
      missing.length > 0 ? `missing: ${missing.join(', ')}` : '',
      duplicates.length > 0 ? `repeated: ${[...new Set(duplicates)].join(', ')}` : '',
    ].filter(Boolean);
    throw new InvalidInput(
      'onnx.labels_mismatch',
      `The class labels (${labels.join(', ')}, from the ${labelsFrom}) must be exactly dataset "${dataset.name}"'s labels (${dataset.labels.join(', ')}) in the model's output order; ${problems.join('; ')}.`,
      { labels: problems.join('; ') },
    );
  }
  return { labels, labelsFrom };
}

function parseJsonArray(text: string, key: string): unknown[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new InvalidInput(
    'onnx.metadata',
    `The model's metadata "${key}" is not a JSON array: fix it in the exporter, or remove it and give the class labels in the form.`,
  );
}

function inputHint(dataset: DatasetShape): string {
  return dataset.task === 'text-classification'
    ? 'a string tensor [batch] (or [batch, 1]) of raw texts, e.g. skl2onnx initial_types=[("input", StringTensorType([None, 1]))]'
    : `a float tensor [batch, ${dataset.featureSchema.length}] with the features ${dataset.featureSchema.map((f) => f.name).join(', ')} in that order (categories as their index, missing as NaN), e.g. skl2onnx initial_types=[("float_input", FloatTensorType([None, ${dataset.featureSchema.length}]))]`;
}

function dimText(dim: number | string): string {
  return typeof dim === 'number' ? String(dim) : dim || '?';
}
