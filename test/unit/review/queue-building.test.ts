import assert from 'node:assert/strict';
import { exportTextOnnx } from '../../../src/ml/text/export-text-onnx.js';
import { fitVocabulary, tokenize } from '../../../src/ml/text/tfidf.js';
import { vocabularyOfOnnx } from '../../../src/ml/text/version-vocabulary.js';
import { argmax, totalVariation } from '../../../src/review/disagreement.js';
import { NearDuplicates } from '../../../src/review/near-duplicates.js';
import { normaliseText, QueueFilterSchema, sliceInWords } from '../../../src/review/queue-filter.js';

const documents = [
  'free money now',
  'free pills now now',
  'meeting notes tomorrow',
  'meeting tomorrow with the team',
  'the team notes',
  'free free offer',
].map(tokenize);

describe('review queue building (pure parts)', () => {
  it('reads back the words and idf a text version was exported with, in column order', () => {
    const vocabulary = fitVocabulary(documents, { minDf: 2, maxFeatures: 100 });
    const onnx = exportTextOnnx(
      vocabulary,
      {
        dim: vocabulary.words.length,
        classes: 2,
        weights: new Float64Array(vocabulary.words.length * 2),
        bias: new Float64Array(2),
      },
      ['ham', 'spam'],
      {},
    );
    const read = vocabularyOfOnnx(onnx)!;
    assert.deepEqual(read.words, vocabulary.words);
    assert.deepEqual([...read.index], [...vocabulary.index]);
    read.idf.forEach((v, i) => assert.equal(v, Math.fround(vocabulary.idf[i]!), `idf of ${read.words[i]}`));
  });

  it('answers null for bytes that are not a text pipeline', () => {
    assert.equal(vocabularyOfOnnx(new Uint8Array([1, 2, 3])), null);
  });

  it('normalises text for exact dedupe: lower case, no punctuation or symbols, one space', () => {
    assert.equal(normaliseText('  Hello,   WORLD!! $5 — now\t\n'), 'hello world 5 now');
    assert.equal(normaliseText('Cheap pills, FREE offer now!'), normaliseText('cheap   pills free offer  now'));
  });

  it('keeps the first of each duplicate group, by normalised text or by features', () => {
    const exact = new NearDuplicates('exact', [], null);
    const kept = ['A b!', 'a  B', 'a c'].filter((text) => exact.admit({ text, features: null }));
    assert.deepEqual(kept, ['A b!', 'a c']);
    assert.equal(exact.dropped, 1);
    const tabular = new NearDuplicates('exact', ['x', 'y'], null);
    assert.equal(tabular.admit({ text: null, features: { x: 1, y: 'a' } }), true);
    assert.equal(tabular.admit({ text: null, features: { y: 'a', x: 1 } }), false, 'key order does not matter');
    assert.equal(tabular.admit({ text: null, features: { x: 2, y: 'a' } }), true);
    const none = new NearDuplicates(undefined, [], null);
    assert.equal(none.admit({ text: 'a', features: null }) && none.admit({ text: 'a', features: null }), true);
  });

  it('drops a text whose TF-IDF cosine with a kept one reaches the threshold, not below it', () => {
    const vocabulary = fitVocabulary(documents, { minDf: 2, maxFeatures: 100 });
    const dedupe = new NearDuplicates('tfidf', [], vocabulary, 0.95);
    assert.equal(dedupe.admit({ text: 'free money now', features: null }), true);
    assert.equal(dedupe.admit({ text: 'free money now unseenword', features: null }), false, 'same vector');
    assert.equal(dedupe.admit({ text: 'meeting notes', features: null }), true);
    assert.equal(
      dedupe.admit({ text: 'no known words at all', features: null }),
      true,
      'an empty vector is no one’s twin',
    );
  });

  it('measures two versions apart by total variation over the labels of both', () => {
    const a = new Map([
      ['ham', 0.7],
      ['spam', 0.3],
    ]);
    const b = new Map([
      ['spam', 0.6],
      ['ham', 0.3],
      ['other', 0.1],
    ]);
    assert.ok(Math.abs(totalVariation(a, b) - 0.4) < 1e-12);
    assert.equal(argmax(a), 'ham');
    assert.equal(
      argmax(
        new Map([
          ['x', 0.5],
          ['y', 0.5],
        ]),
      ),
      'x',
      'the first label on ties',
    );
  });

  it('validates filters with messages a person can act on', () => {
    assert.equal(QueueFilterSchema.safeParse({ slice: { feature: 'x', min: 2, max: 1 } }).success, false);
    assert.equal(QueueFilterSchema.safeParse({ slice: { feature: 'x', value: 'a', min: 1 } }).success, false);
    assert.equal(QueueFilterSchema.safeParse({ similarity: 1.5 }).success, false);
    assert.equal(QueueFilterSchema.safeParse({ unknown: 1 }).success, false);
    assert.deepEqual(JSON.parse(JSON.stringify(QueueFilterSchema.parse({ split: '', dedupe: 'exact' }))), {
      dedupe: 'exact',
    });
    assert.equal(sliceInWords({ feature: 'length', min: 10, max: 50 }), '10 ≤ length < 50');
  });
});
