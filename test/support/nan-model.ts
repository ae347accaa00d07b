import { createHash } from 'node:crypto';
import { ModelVersion } from '../../models/index.js';
import { OnnxGraph, valueInfo } from '../../src/ml/onnx-graph.js';
import { signatureOf } from '../../src/ml/onnx-classifier.js';

/**
 * A registered version of `like`'s model whose ONNX graph divides by zero: for a row whose feature
 * `column` is 0 (or missing) it answers NaN probabilities, for any other row uniform probabilities.
 * It takes and returns what `like` does (same input and output names, labels), so the registry
 * serves it as it would an uploaded model that passed its checks on other records.
 */
export async function createNanVersion(like: ModelVersion, version: number, column: number): Promise<ModelVersion> {
  const full = (await ModelVersion.unscoped().findByPk(like.id))!;
  const signature = signatureOf(full);
  const width = Number(signature.input.shape[1]);
  const k = signature.labels.length;
  const g = new OnnxGraph();
  const x = signature.input.name;
  const value = g.op('Gather', [x, g.constant('column', 'int64', [1], [column])], { axis: { int: 1 } }); // [N, 1]
  const oneOrNaN = g.op('Div', [value, value]); // 0/0 = NaN
  const logits = g.op('MatMul', [x, g.constant('zeros', 'float', [width, k], new Array(width * k).fill(0))]);
  g.op(
    'Mul',
    [g.op('Softmax', [logits], { axis: { int: 1 } }), oneOrNaN],
    {},
    { outputs: [signature.probabilities.name] },
  );
  const onnx = g.toModel({
    inputs: [valueInfo(x, 'float', ['batch', width])],
    outputs: [valueInfo(signature.probabilities.name, 'float', ['batch', k])],
    metadata: {},
    docString: 'divides by zero where the chosen feature is 0',
  });
  return ModelVersion.create({
    ...full.get(),
    id: undefined,
    version,
    onnx: Buffer.from(onnx),
    sha256: createHash('sha256').update(onnx).digest('hex'),
    sizeBytes: onnx.byteLength,
    outputSchema: { ...(full.outputSchema as object), label: null },
    parentVersionId: null,
    createdAt: undefined,
  });
}
