import assert from 'node:assert/strict';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import {
  matchSignature,
  type DatasetShape,
  type SignatureRequest,
  type ValueInfo,
} from '../../../src/ml/onnx-signature.js';

const tabular: DatasetShape = {
  name: 'iris',
  task: 'tabular-classification',
  labels: ['versicolor', 'setosa', 'virginica'],
  featureSchema: ['a', 'b', 'c', 'd'].map((name) => ({ name, type: 'number' as const })),
};
const text: DatasetShape = { name: 'mail', task: 'text-classification', labels: ['spam', 'ham'], featureSchema: [] };

const tensor = (name: string, type: string, shape: Array<number | string>): ValueInfo => ({
  name,
  isTensor: true,
  type,
  shape,
});
const sklearn = (overrides: Partial<SignatureRequest> = {}): SignatureRequest => ({
  fileName: 'iris.onnx',
  inputs: [tensor('float_input', 'float32', ['', 4])],
  outputs: [tensor('output_label', 'int64', ['']), tensor('output_probability', 'float32', ['', 3])],
  metadata: {},
  dataset: tabular,
  ...overrides,
});
const refuses = (request: SignatureRequest, code: string, message?: RegExp) =>
  assert.throws(
    () => matchSignature(request),
    (error: unknown) => {
      assert.ok(error instanceof InvalidInput);
      assert.equal(error.code, code, error.message);
      if (message) assert.match(error.message, message);
      return true;
    },
  );

describe('ml: matchSignature() of an uploaded ONNX model', () => {
  it('reads a skl2onnx export with zipmap=False: one float input, probabilities, int64 label, sorted classes', () => {
    const { signature, labelsFrom } = matchSignature(sklearn());
    assert.deepEqual(signature, {
      input: { name: 'float_input', type: 'float32', shape: ['batch', 4] },
      probabilities: { name: 'output_probability' },
      label: { name: 'output_label', type: 'int64' },
      labels: ['setosa', 'versicolor', 'virginica'],
    });
    assert.equal(labelsFrom, 'dataset labels, sorted');
  });

  it('takes the class order from modeldesk.labels, then from the uploader', () => {
    const metadata = { 'modeldesk.labels': '["virginica","setosa","versicolor"]' };
    assert.deepEqual(matchSignature(sklearn({ metadata })).signature.labels, ['virginica', 'setosa', 'versicolor']);
    assert.deepEqual(matchSignature(sklearn({ labels: ['virginica', 'versicolor', 'setosa'] })).signature.labels, [
      'virginica',
      'versicolor',
      'setosa',
    ]);
    refuses(
      sklearn({ metadata, labels: ['setosa', 'versicolor', 'virginica'] }),
      'onnx.labels_conflict',
      /leave the class labels empty or give exactly that order/,
    );
    refuses(sklearn({ metadata: { 'modeldesk.labels': 'setosa,virginica' } }), 'onnx.metadata', /not a JSON array/);
    refuses(
      sklearn({ labels: ['setosa', 'setosa', 'virginica'] }),
      'onnx.labels_mismatch',
      /missing: versicolor; repeated: setosa/,
    );
  });

  it('prefers the float output named like "prob" and refuses to guess between others', () => {
    const outputs = [tensor('scores', 'float32', ['', 3]), tensor('class_prob', 'float32', ['', 3])];
    assert.equal(matchSignature(sklearn({ outputs })).signature.probabilities.name, 'class_prob');
    assert.equal(matchSignature(sklearn({ outputs })).signature.label, null);
    refuses(
      sklearn({ outputs: [tensor('a', 'float32', ['', 3]), tensor('b', 'float32', ['', 3])] }),
      'onnx.ambiguous_probabilities',
    );
    refuses(sklearn({ outputs: [tensor('output_label', 'int64', [''])] }), 'onnx.no_probabilities', /no float output/);
    refuses(
      sklearn({ outputs: [tensor('output_probability', 'float64', ['', 3])] }),
      'onnx.no_probabilities',
      /FloatTensorType/,
    );
    refuses(sklearn({ outputs: [tensor('output_probability', 'float32', [''])] }), 'onnx.probabilities_shape');
  });

  it('refuses ZipMap, several inputs, doubles, a fixed batch and a feature schema that differs', () => {
    refuses(
      sklearn({ outputs: [tensor('output_label', 'int64', ['']), { name: 'output_probability', isTensor: false }] }),
      'onnx.zipmap_output',
      /'zipmap': False/,
    );
    refuses(
      sklearn({ inputs: [tensor('a', 'float32', ['', 2]), tensor('b', 'float32', ['', 2])] }),
      'onnx.inputs',
      /has 2 inputs \(a, b\)/,
    );
    refuses(
      sklearn({ inputs: [tensor('double_input', 'float64', ['', 4])] }),
      'onnx.input_mismatch',
      /ModelDesk feeds float32/,
    );
    refuses(sklearn({ inputs: [tensor('float_input', 'float32', [1, 4])] }), 'onnx.input_mismatch', /batch of rows/);
    refuses(
      sklearn({
        metadata: {
          'modeldesk.feature_schema': JSON.stringify([{ name: 'b' }, { name: 'a' }, { name: 'c' }, { name: 'd' }]),
        },
      }),
      'onnx.feature_schema',
    );
    refuses(sklearn({ dataset: { ...tabular, labels: ['setosa'] } }), 'dataset.no_labels');
  });

  it('reads a text model with a string input of [batch] or [batch, 1]', () => {
    const outputs = [tensor('label', 'string', ['batch']), tensor('probabilities', 'float32', ['batch', 2])];
    const flat = matchSignature({
      ...sklearn({ dataset: text, outputs }),
      inputs: [tensor('text', 'string', ['batch'])],
    });
    assert.deepEqual(flat.signature.input, { name: 'text', type: 'string', shape: ['batch'] });
    assert.deepEqual(flat.signature.labels, ['ham', 'spam']);
    const column = matchSignature({
      ...sklearn({ dataset: text, outputs }),
      inputs: [tensor('input', 'string', ['', 1])],
    });
    assert.deepEqual(column.signature.input.shape, ['batch', 1]);
    refuses(
      { ...sklearn({ dataset: text, outputs }), inputs: [tensor('input', 'string', ['', 3])] },
      'onnx.input_mismatch',
      /holds text/,
    );
  });
});
