import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataLocation, type GraphProto, type TensorProto } from 'onnx-buf';
import { InvalidInput } from '../errors/domain-error.js';

/** What an ONNX file says about itself, beyond its graph: who wrote it, which opsets, its metadata. */
export interface OnnxModelFacts {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Operator set per domain; the default domain is reported as `ai.onnx`. */
  opsets: Record<string, number>;
  /** `metadata_props` (the JS session does not expose them, so we read the protobuf ourselves). */
  metadata: Record<string, string>;
}

/**
 * Parses the ModelProto of an ONNX file. Refuses files that keep tensor data in external files:
 * an upload carries one file, and onnxruntime would otherwise read those paths from this server's disk.
 */
export function readOnnxModel(bytes: Uint8Array, fileName: string): OnnxModelFacts {
  let model;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (error) {
    throw notOnnx(fileName, `it does not parse as an ONNX model (${(error as Error).message})`);
  }
  if (!model.graph || model.graph.node.length === 0 || model.opsetImport.length === 0) {
    throw notOnnx(fileName, 'it holds no graph or no operator set');
  }
  const external = externalTensors(model.graph);
  if (external.length > 0) {
    throw new InvalidInput(
      'onnx.external_data',
      `"${fileName}" keeps tensor data in separate files (${external.slice(0, 3).join(', ')}), which an upload cannot carry: save the model as one file (onnx.save_model(model, path, save_as_external_data=False)) and upload that.`,
    );
  }
  return {
    irVersion: Number(model.irVersion),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsets: Object.fromEntries(
      model.opsetImport.map((o) => [o.domain === '' ? 'ai.onnx' : o.domain, Number(o.version)]),
    ),
    metadata: Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value])),
  };
}

export function notOnnx(fileName: string, reason: string): InvalidInput {
  const short = reason.length > 300 ? `${reason.slice(0, 300)}…` : reason;
  return new InvalidInput(
    'onnx.invalid',
    `"${fileName}" is not a valid ONNX file: ${short}. Upload the .onnx file your exporter wrote (e.g. skl2onnx's to_onnx(…).SerializeToString()).`,
  );
}

/** Names of tensors whose data lives outside the file, in the graph and every subgraph. */
function externalTensors(graph: GraphProto): string[] {
  const found: string[] = [];
  const visitTensor = (tensor: TensorProto | undefined) => {
    if (tensor?.dataLocation === TensorProto_DataLocation.EXTERNAL || (tensor?.externalData.length ?? 0) > 0)
      found.push(tensor!.name || '(unnamed)');
  };
  const visitGraph = (g: GraphProto) => {
    g.initializer.forEach(visitTensor);
    for (const sparse of g.sparseInitializer) [sparse.values, sparse.indices].forEach(visitTensor);
    for (const node of g.node) {
      for (const attribute of node.attribute) {
        visitTensor(attribute.t);
        attribute.tensors.forEach(visitTensor);
        if (attribute.sparseTensor)
          [attribute.sparseTensor.values, attribute.sparseTensor.indices].forEach(visitTensor);
        if (attribute.g) visitGraph(attribute.g);
        attribute.graphs.forEach(visitGraph);
      }
    }
  };
  visitGraph(graph);
  return found;
}
