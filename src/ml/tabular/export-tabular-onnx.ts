import type { FeatureSpec } from '../../../models/enums.js';
import { addSoftmaxHead } from '../classifier-head.js';
import { OnnxGraph, valueInfo } from '../onnx-graph.js';
import type { SoftmaxModel } from '../softmax-regression.js';
import type { Standardiser } from './tabular-encoder.js';

/**
 * One ONNX graph for the whole tabular pipeline, taking the raw float row (see tabular-encoder.ts):
 * numeric columns → (x − mean) / std with NaN → 0; each category column → one-hot by Equal against
 * 0…k−1 (NaN matches nothing); concatenated in the trainer's order → softmax head.
 */
export function exportTabularOnnx(
  schema: readonly FeatureSpec[],
  standardiser: Standardiser,
  model: SoftmaxModel,
  labels: readonly string[],
  metadata: Record<string, string>,
): Uint8Array {
  const g = new OnnxGraph();
  const parts: string[] = [];
  if (standardiser.numeric.length > 0) {
    const columns = g.op(
      'Gather',
      ['features', g.constant('numeric_columns', 'int64', [standardiser.numeric.length], standardiser.numeric)],
      { axis: { int: 1 } },
    );
    const centred = g.op('Sub', [
      columns,
      g.constant('mean', 'float', [standardiser.numeric.length], standardiser.mean),
    ]);
    const scaled = g.op('Div', [centred, g.constant('std', 'float', [standardiser.numeric.length], standardiser.std)]);
    parts.push(g.op('Where', [g.op('IsNaN', [scaled]), g.constant('zero', 'float', [], [0]), scaled]));
  }
  for (const { column, size } of standardiser.categorical) {
    if (size === 0) continue;
    const values = g.op('Gather', ['features', g.constant(`column_${column}`, 'int64', [1], [column])], {
      axis: { int: 1 },
    });
    const codes = g.constant(
      `codes_${column}`,
      'float',
      [size],
      Array.from({ length: size }, (_, c) => c),
    );
    parts.push(g.op('Cast', [g.op('Equal', [values, codes])], { to: { int: 1 } }));
  }
  const encoded = parts.length === 1 ? parts[0]! : g.op('Concat', parts, { axis: { int: 1 } });
  addSoftmaxHead(g, encoded, model, labels);
  return g.toModel({
    inputs: [valueInfo('features', 'float', ['batch', schema.length])],
    outputs: [valueInfo('label', 'string', ['batch']), valueInfo('probabilities', 'float', ['batch', labels.length])],
    metadata,
    docString: 'ModelDesk tabular classifier: standardisation + one-hot + softmax regression.',
  });
}
