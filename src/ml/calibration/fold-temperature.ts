import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataType,
  type GraphProto,
  type TensorProto,
} from 'onnx-buf';

/**
 * Folds a temperature into an exported softmax head (classifier-head.ts: MatMul(features, W) → Add b →
 * Softmax → `probabilities`): W and b become W/T and b/T, so softmax gives softmax(z / T). The graph
 * keeps its shape and operators, so the runtime, the signature check and every consumer are unchanged;
 * the metadata gains `modeldesk.temperature`.
 */
export function foldTemperature(onnx: Uint8Array, temperature: number): Uint8Array {
  const model = fromBinary(ModelProtoSchema, onnx);
  const graph = model.graph;
  if (!graph) throw new Error('foldTemperature: the model has no graph');
  const producer = (output: string) => graph.node.find((n) => n.output.includes(output));
  const softmax = graph.node.find((n) => n.opType === 'Softmax' && n.output.includes('probabilities'));
  const add = softmax && producer(softmax.input[0]!);
  const matMul = add?.opType === 'Add' ? producer(add.input[0]!) : undefined;
  if (!add || add.opType !== 'Add' || matMul?.opType !== 'MatMul')
    throw new Error('foldTemperature: expected MatMul → Add → Softmax before `probabilities` (classifier-head.ts)');
  for (const name of [matMul.input[1]!, add.input[1]!]) divide(initializer(graph, name), temperature);
  model.metadataProps = model.metadataProps.filter((p) => p.key !== 'modeldesk.temperature');
  model.metadataProps.push(
    create(StringStringEntryProtoSchema, { key: 'modeldesk.temperature', value: String(temperature) }),
  );
  return toBinary(ModelProtoSchema, model);
}

function initializer(graph: GraphProto, name: string): TensorProto {
  const tensor = graph.initializer.find((t) => t.name === name);
  if (!tensor || tensor.dataType !== (TensorProto_DataType.FLOAT as number))
    throw new Error(`foldTemperature: ${name} is not a float initializer`);
  return tensor;
}

function divide(tensor: TensorProto, by: number): void {
  if (tensor.rawData.length > 0) {
    // Copied: rawData may be a view at an offset that Float32Array cannot start at.
    const values = new Float32Array(tensor.rawData.slice().buffer);
    for (let i = 0; i < values.length; i += 1) values[i] = values[i]! / by;
    tensor.rawData = new Uint8Array(values.buffer);
  } else {
    tensor.floatData = tensor.floatData.map((v) => Math.fround(v / by));
  }
}
