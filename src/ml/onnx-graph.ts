import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';

/** The opsets our exported graphs use; onnxruntime 1.2x supports both. */
export const ONNX_OPSET = 17;
export const MS_OPSET = 1;
const IR_VERSION = 8n;

const utf8 = new TextEncoder();

/** An attribute value, tagged so ints and floats stay distinct. */
export type Attr =
  | { int: number }
  | { ints: readonly number[] }
  | { float: number }
  | { floats: readonly number[] }
  | { string: string }
  | { strings: readonly string[] };

function attribute(name: string, value: Attr): AttributeProto {
  if ('int' in value)
    return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value.int) });
  if ('ints' in value)
    return create(AttributeProtoSchema, {
      name,
      type: AttributeProto_AttributeType.INTS,
      ints: value.ints.map(BigInt),
    });
  if ('float' in value)
    return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: value.float });
  if ('floats' in value)
    return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOATS, floats: [...value.floats] });
  if ('string' in value)
    return create(AttributeProtoSchema, {
      name,
      type: AttributeProto_AttributeType.STRING,
      s: utf8.encode(value.string),
    });
  return create(AttributeProtoSchema, {
    name,
    type: AttributeProto_AttributeType.STRINGS,
    strings: value.strings.map((s) => utf8.encode(s)),
  });
}

export type ElemType = 'float' | 'int64' | 'string';
const DATA_TYPE: Record<ElemType, TensorProto_DataType> = {
  float: TensorProto_DataType.FLOAT,
  int64: TensorProto_DataType.INT64,
  string: TensorProto_DataType.STRING,
};

/** A graph under construction: add initializers and nodes, then `toModel()`. */
export class OnnxGraph {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private counter = 0;

  /** A fresh intermediate name. */
  name(hint: string): string {
    this.counter += 1;
    return `${hint}_${this.counter}`;
  }

  constant(
    hint: string,
    type: ElemType,
    dims: readonly number[],
    values: ArrayLike<number> | readonly string[],
  ): string {
    const name = this.name(hint);
    const base = { name, dims: dims.map(BigInt), dataType: DATA_TYPE[type] };
    const tensor =
      type === 'float'
        ? create(TensorProtoSchema, {
            ...base,
            rawData: new Uint8Array(Float32Array.from(values as ArrayLike<number>).buffer),
          })
        : type === 'int64'
          ? create(TensorProtoSchema, { ...base, int64Data: Array.from(values as ArrayLike<number>, (v) => BigInt(v)) })
          : create(TensorProtoSchema, {
              ...base,
              stringData: (values as readonly string[]).map((s) => utf8.encode(s)),
            });
    this.initializers.push(tensor);
    return name;
  }

  /** Adds a node; returns its (single or first) output name. */
  op(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, Attr> = {},
    options: { domain?: string; outputs?: string[] } = {},
  ): string {
    const outputs = options.outputs ?? [this.name(opType.toLowerCase())];
    this.nodes.push(
      create(NodeProtoSchema, {
        opType,
        domain: options.domain ?? '',
        input: [...inputs],
        output: outputs,
        name: this.name(`node_${opType}`),
        attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
      }),
    );
    return outputs[0]!;
  }

  toModel(spec: {
    inputs: ValueInfoProto[];
    outputs: ValueInfoProto[];
    metadata: Record<string, string>;
    docString: string;
  }): Uint8Array {
    const model = create(ModelProtoSchema, {
      irVersion: IR_VERSION,
      producerName: 'modeldesk',
      producerVersion: '1',
      docString: spec.docString,
      opsetImport: [
        create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(ONNX_OPSET) }),
        create(OperatorSetIdProtoSchema, { domain: 'com.microsoft', version: BigInt(MS_OPSET) }),
      ],
      metadataProps: Object.entries(spec.metadata).map(([key, value]) =>
        create(StringStringEntryProtoSchema, { key, value }),
      ),
      graph: create(GraphProtoSchema, {
        name: 'modeldesk',
        node: this.nodes,
        initializer: this.initializers,
        input: spec.inputs,
        output: spec.outputs,
      }),
    });
    return toBinary(ModelProtoSchema, model);
  }
}

/** A graph input or output: element type and shape (`null` for a symbolic dimension such as the batch). */
export function valueInfo(name: string, type: ElemType, shape: ReadonlyArray<number | string>): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: DATA_TYPE[type],
          shape: create(TensorShapeProtoSchema, {
            dim: shape.map((d) =>
              create(TensorShapeProto_DimensionSchema, {
                value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
              }),
            ),
          }),
        }),
      },
    }),
  });
}
