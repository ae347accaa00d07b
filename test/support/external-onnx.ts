import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataType,
  TensorShapeProtoSchema,
  TypeProto_MapSchema,
  TypeProto_SequenceSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type ValueInfoProto,
} from 'onnx-buf';
import { OnnxGraph, valueInfo } from '../../src/ml/onnx-graph.js';

/** A linear classifier on standardised features (missing → the mean), as numbers the test can check. */
export interface LinearClassifier {
  mean: number[];
  std: number[];
  /** features × classes, row-major. */
  weights: number[];
  bias: number[];
  classes: string[];
}

export interface ExternalModelOptions {
  inputName?: string;
  /** 'string': the input is a string tensor of numbers, Cast to float (a tabular dataset must refuse it). */
  inputType?: 'float' | 'string';
  /** 'tensor' (zipmap=False), 'zipmap' (skl2onnx's default: a sequence of maps), or 'logits' (no Softmax). */
  probabilities?: 'tensor' | 'zipmap' | 'logits';
  /** skl2onnx's label output: int64 class index, the class name (string), or none. */
  label?: 'int64' | 'string' | 'none';
  metadata?: Record<string, string>;
}

/**
 * An ONNX file shaped like skl2onnx's export of a scikit-learn pipeline (imputer, scaler, logistic
 * regression): input `float_input` float [None, F], outputs `output_label` and `output_probability`,
 * producer skl2onnx, opsets ai.onnx and ai.onnx.ml; no ModelDesk metadata unless given.
 */
export function buildExternalOnnx(model: LinearClassifier, options: ExternalModelOptions = {}): Uint8Array {
  const features = model.mean.length;
  const k = model.classes.length;
  const inputName = options.inputName ?? 'float_input';
  const mode = options.probabilities ?? 'tensor';
  const label = options.label ?? 'int64';
  const g = new OnnxGraph();
  const x =
    options.inputType === 'string' ? g.op('Cast', [inputName], { to: { int: TensorProto_DataType.FLOAT } }) : inputName;
  const mean = g.constant('mean', 'float', [features], model.mean);
  const imputed = g.op('Where', [g.op('IsNaN', [x]), mean, x]);
  const scaled = g.op('Div', [g.op('Sub', [imputed, mean]), g.constant('scale', 'float', [features], model.std)]);
  const logits = g.op('Add', [
    g.op('MatMul', [scaled, g.constant('coef', 'float', [features, k], model.weights)]),
    g.constant('intercept', 'float', [k], model.bias),
  ]);
  const probabilities = mode === 'logits' ? logits : g.op('Softmax', [logits], { axis: { int: 1 } });
  const index = g.op('ArgMax', [probabilities], { axis: { int: 1 }, keepdims: { int: 0 } });
  const outputs: ValueInfoProto[] = [];
  if (label === 'int64') {
    g.op('Identity', [index], {}, { outputs: ['output_label'] });
    outputs.push(valueInfo('output_label', 'int64', ['']));
  } else if (label === 'string') {
    g.op(
      'Gather',
      [g.constant('classes', 'string', [k], model.classes), index],
      { axis: { int: 0 } },
      { outputs: ['output_label'] },
    );
    outputs.push(valueInfo('output_label', 'string', ['']));
  }
  if (mode === 'zipmap') {
    g.op(
      'ZipMap',
      [probabilities],
      { classlabels_strings: { strings: model.classes } },
      { domain: 'ai.onnx.ml', outputs: ['output_probability'] },
    );
    outputs.push(sequenceOfMaps('output_probability'));
  } else {
    g.op('Identity', [probabilities], {}, { outputs: ['output_probability'] });
    outputs.push(valueInfo('output_probability', 'float', ['', k]));
  }
  const bytes = g.toModel({
    inputs: [valueInfo(inputName, options.inputType ?? 'float', ['', features])],
    outputs,
    metadata: options.metadata ?? {},
    docString: '',
  });
  const proto = fromBinary(ModelProtoSchema, bytes);
  proto.producerName = 'skl2onnx';
  proto.producerVersion = '1.17.0';
  proto.opsetImport = [
    create(OperatorSetIdProtoSchema, { domain: '', version: 17n }),
    create(OperatorSetIdProtoSchema, { domain: 'ai.onnx.ml', version: 1n }),
  ];
  proto.metadataProps = Object.entries(options.metadata ?? {}).map(([key, value]) =>
    create(StringStringEntryProtoSchema, { key, value }),
  );
  return toBinary(ModelProtoSchema, proto);
}

/** seq(map(string, float)): what ZipMap returns. */
function sequenceOfMaps(name: string): ValueInfoProto {
  const float = create(TypeProtoSchema, {
    value: {
      case: 'tensorType',
      value: create(TypeProto_TensorSchema, {
        elemType: TensorProto_DataType.FLOAT,
        shape: create(TensorShapeProtoSchema, { dim: [] }),
      }),
    },
  });
  const map = create(TypeProtoSchema, {
    value: {
      case: 'mapType',
      value: create(TypeProto_MapSchema, { keyType: TensorProto_DataType.STRING, valueType: float }),
    },
  });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: { case: 'sequenceType', value: create(TypeProto_SequenceSchema, { elemType: map }) },
    }),
  });
}

/**
 * "Trains" a linear classifier without an optimiser: nearest class centroid in standardised space,
 * which is linear (logit_c = s·z·μ_c − s·|μ_c|²/2). Rows are encoded feature rows (NaN = missing).
 */
export function fitCentroids(
  rows: readonly Float64Array[],
  labels: readonly string[],
  classes: readonly string[],
  sharpness = 2,
): LinearClassifier {
  const features = rows[0]!.length;
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < features; j += 1) {
    const values = rows.map((r) => r[j]!).filter((v) => !Number.isNaN(v));
    const m = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const s = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(1, values.length));
    mean.push(m);
    std.push(s > 1e-9 ? s : 1);
  }
  const standardise = (row: Float64Array) =>
    Array.from(row, (v, j) => (Number.isNaN(v) ? 0 : (v - mean[j]!) / std[j]!));
  const centroids = classes.map((c) => {
    const members = rows.filter((_, i) => labels[i] === c).map(standardise);
    return Array.from(
      { length: features },
      (_, j) => members.reduce((a, z) => a + z[j]!, 0) / Math.max(1, members.length),
    );
  });
  const weights = Array.from(
    { length: features * classes.length },
    (_, at) => sharpness * centroids[at % classes.length]![Math.floor(at / classes.length)]!,
  );
  const bias = centroids.map((mu) => (-sharpness * mu.reduce((a, v) => a + v * v, 0)) / 2);
  return { mean, std, weights, bias, classes: [...classes] };
}

/** The TypeScript forward pass of `buildExternalOnnx` (argmax only): the class index of each row. */
export function predictCentroids(model: LinearClassifier, row: Float64Array): number {
  const k = model.classes.length;
  const z = Array.from(row, (v, j) => (Number.isNaN(v) ? 0 : (v - model.mean[j]!) / model.std[j]!));
  let best = 0;
  let bestLogit = -Infinity;
  for (let c = 0; c < k; c += 1) {
    const logit = z.reduce((a, v, j) => a + v * model.weights[j * k + c]!, model.bias[c]!);
    if (logit > bestLogit) {
      best = c;
      bestLogit = logit;
    }
  }
  return best;
}
