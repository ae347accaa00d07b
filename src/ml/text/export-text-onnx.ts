import { addSoftmaxHead } from '../classifier-head.js';
import { OnnxGraph, valueInfo } from '../onnx-graph.js';
import type { SoftmaxModel } from '../softmax-regression.js';
import type { Vocabulary } from './tfidf.js';
import { TOKEN_PATTERN } from './tokenize.js';

/** A token no vocabulary can hold (tokens are [a-z0-9]+): pads the Tokenizer's ragged output. */
const PAD = '#';

/**
 * The whole text pipeline as one ONNX graph on the raw string: StringNormalizer (lower, C.UTF-8) →
 * com.microsoft Tokenizer → TfIdfVectorizer (term counts) → 1 + ln(tf) where tf > 0 → × idf →
 * L2 normalisation → softmax head. Matches tfidf.ts + softmax-regression.ts.
 */
export function exportTextOnnx(
  vocabulary: Vocabulary,
  model: SoftmaxModel,
  labels: readonly string[],
  metadata: Record<string, string>,
): Uint8Array {
  const g = new OnnxGraph();
  const size = vocabulary.words.length;
  const lower = g.op('StringNormalizer', ['text'], {
    case_change_action: { string: 'LOWER' },
    is_case_sensitive: { int: 0 },
    locale: { string: 'C.UTF-8' },
  });
  const tokens = g.op(
    'Tokenizer',
    [lower],
    { mark: { int: 0 }, mincharnum: { int: 1 }, pad_value: { string: PAD }, tokenexp: { string: TOKEN_PATTERN } },
    { domain: 'com.microsoft' },
  );
  const tf = g.op('TfIdfVectorizer', [tokens], {
    mode: { string: 'TF' },
    min_gram_length: { int: 1 },
    max_gram_length: { int: 1 },
    max_skip_count: { int: 0 },
    ngram_counts: { ints: [0] },
    ngram_indexes: { ints: Array.from({ length: size }, (_, i) => i) },
    pool_strings: { strings: vocabulary.words },
  });
  const zero = g.constant('zero', 'float', [], [0]);
  const one = g.constant('one', 'float', [], [1]);
  const sublinear = g.op('Where', [g.op('Greater', [tf, zero]), g.op('Add', [g.op('Log', [tf]), one]), zero]);
  const weighted = g.op('Mul', [sublinear, g.constant('idf', 'float', [size], vocabulary.idf)]);
  const norm = g.op('Sqrt', [g.op('ReduceSumSquare', [weighted], { axes: { ints: [1] }, keepdims: { int: 1 } })]);
  const safeNorm = g.op('Max', [norm, g.constant('epsilon', 'float', [], [1e-12])]);
  const features = g.op('Div', [weighted, safeNorm]);
  addSoftmaxHead(g, features, model, labels);
  return g.toModel({
    inputs: [valueInfo('text', 'string', ['batch'])],
    outputs: [valueInfo('label', 'string', ['batch']), valueInfo('probabilities', 'float', ['batch', labels.length])],
    metadata,
    docString: 'ModelDesk text classifier: lower-case, tokenise, sublinear TF-IDF, L2, softmax regression.',
  });
}
