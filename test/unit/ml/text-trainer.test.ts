import assert from 'node:assert/strict';
import { loadSpamAssassin } from '../../../seeders/spam-assassin.js';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { evaluate } from '../../../src/ml/metrics.js';
import { tokenize } from '../../../src/ml/text/tokenize.js';
import { trainText } from '../../../src/ml/text/train-text.js';
import { ort, runOnnx } from '../../support/onnx.js';

describe('text trainer and its ONNX export (SpamAssassin)', () => {
  const emails = loadSpamAssassin();
  const train = emails.filter((e) => e.split === 'train');
  const test = emails.filter((e) => e.split === 'test');
  let trained: ReturnType<typeof trainText>;

  before(function () {
    this.timeout(120_000);
    trained = trainText(train);
  });

  it('separates spam from ham on the test split with at least 95% accuracy', () => {
    const probabilities = trained.predict(test.map((e) => e.text));
    const metrics = evaluate(
      trained.labels,
      test.map((e) => trained.labels.indexOf(e.label)),
      probabilities,
    );
    assert.deepEqual(trained.labels, ['ham', 'spam']);
    assert.ok(metrics.accuracy >= 0.95, `accuracy ${metrics.accuracy}`);
    assert.ok((metrics.rocAuc ?? 0) > 0.98, `auc ${metrics.rocAuc}`);
    assert.ok(trained.vocabularySize > 1_000);
  });

  it('runs in onnxruntime on the raw text with the same probabilities (1e-5) and labels', async () => {
    const sample = test.slice(0, 300).map((e) => e.text);
    sample.push('', 'FREE!!! Click   HERE now', 'Ünïcödé text — with ß and İstanbul 123, 5 \u212Aelvin');
    const { label, probabilities } = await runOnnx(trained.onnx, {
      text: new ort.Tensor('string', sample, [sample.length]),
    });
    const expected = trained.predict(sample);
    let worst = 0;
    for (let i = 0; i < expected.length; i += 1) worst = Math.max(worst, Math.abs(expected[i]! - probabilities[i]!));
    assert.ok(worst <= 1e-5, `max difference ${worst}`);
    label.forEach((l, i) => assert.equal(l, expected[2 * i + 1]! > expected[2 * i]! ? 'spam' : 'ham'));
  });

  it('tokenises like the ONNX graph: lower-cased ASCII letter and digit runs', () => {
    assert.deepEqual(tokenize('Hello, WORLD! Win $1000 now_ok'), ['hello', 'world', 'win', '1000', 'now', 'ok']);
  });

  it('refuses training data it cannot learn from, saying why', () => {
    assert.throws(
      () => trainText([]),
      (e: unknown) => e instanceof InvalidInput && /no training rows/.test(e.message),
    );
    // Fifty real emails of one label refuse as all of them would (the check does not depend on size).
    assert.throws(
      () => trainText(train.filter((e) => e.label === 'ham').slice(0, 50)),
      (e: unknown) => e instanceof InvalidInput && /same label/.test(e.message),
    );
    assert.throws(
      () =>
        trainText([
          { text: '!!!', label: 'a' },
          { text: '???', label: 'b' },
        ]),
      (e: unknown) => e instanceof InvalidInput && /No word occurs/.test(e.message),
    );
  });
});
