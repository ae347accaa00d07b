import type { OnnxGraph } from './onnx-graph.js';
import type { SoftmaxModel } from './softmax-regression.js';

/**
 * The shared end of every exported pipeline: logits = features·W + b → Softmax → `probabilities`
 * (float, batch × classes) and `label` (string, batch): plain tensors, no ZipMap.
 */
export function addSoftmaxHead(
  graph: OnnxGraph,
  features: string,
  model: SoftmaxModel,
  labels: readonly string[],
): void {
  const weights = graph.constant('W', 'float', [model.dim, model.classes], model.weights);
  const bias = graph.constant('b', 'float', [model.classes], model.bias);
  const logits = graph.op('Add', [graph.op('MatMul', [features, weights]), bias]);
  graph.op('Softmax', [logits], { axis: { int: 1 } }, { outputs: ['probabilities'] });
  const index = graph.op('ArgMax', ['probabilities'], { axis: { int: 1 }, keepdims: { int: 0 } });
  graph.op(
    'Gather',
    [graph.constant('labels', 'string', [labels.length], labels), index],
    { axis: { int: 0 } },
    { outputs: ['label'] },
  );
}
