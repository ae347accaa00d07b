import assert from 'node:assert/strict';
import { loadPenguins, PENGUIN_FEATURES } from '../../../seeders/penguins.js';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { evaluate } from '../../../src/ml/metrics.js';
import { encodeRow } from '../../../src/ml/tabular/tabular-encoder.js';
import { trainTabular } from '../../../src/ml/tabular/train-tabular.js';
import { ort, runOnnx } from '../../support/onnx.js';

describe('tabular trainer and its ONNX export (penguins)', () => {
  const penguins = loadPenguins();
  const train = penguins.filter((p) => p.split === 'train');
  const test = penguins.filter((p) => p.split === 'test');
  const trained = trainTabular(PENGUIN_FEATURES, train);
  const testRows = test.map((p) => encodeRow(p.features, PENGUIN_FEATURES));

  it('classifies held-out penguins with at least 95% accuracy', () => {
    const probabilities = trained.predict(testRows);
    const metrics = evaluate(
      trained.labels,
      test.map((p) => trained.labels.indexOf(p.label)),
      probabilities,
    );
    assert.deepEqual(trained.labels, ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.ok(metrics.accuracy >= 0.95, `accuracy ${metrics.accuracy}`);
    assert.ok(metrics.rocAuc !== null && metrics.rocAuc > 0.98, `auc ${metrics.rocAuc}`);
  });

  it('runs in onnxruntime with the same probabilities (1e-5) and labels as the TypeScript forward pass', async () => {
    const flat = new Float32Array(testRows.length * PENGUIN_FEATURES.length);
    testRows.forEach((row, i) => flat.set(row, i * PENGUIN_FEATURES.length));
    const { label, probabilities } = await runOnnx(trained.onnx, {
      features: new ort.Tensor('float32', flat, [testRows.length, PENGUIN_FEATURES.length]),
    });
    const expected = trained.predict(testRows);
    let worst = 0;
    for (let i = 0; i < expected.length; i += 1) worst = Math.max(worst, Math.abs(expected[i]! - probabilities[i]!));
    assert.ok(worst <= 1e-5, `max difference ${worst}`);
    const k = trained.labels.length;
    label.forEach((l, i) => {
      const row = Array.from(expected.subarray(i * k, i * k + k));
      assert.equal(l, trained.labels[row.indexOf(Math.max(...row))]);
    });
  });

  it('treats missing values as the mean and unseen categories as missing', async () => {
    const row = encodeRow(
      {
        beak_length_mm: null,
        beak_depth_mm: 18,
        flipper_length_mm: 190,
        body_mass_g: 3700,
        island: 'Atlantis',
        sex: null,
      },
      PENGUIN_FEATURES,
    );
    assert.ok(Number.isNaN(row[0]!) && Number.isNaN(row[4]!) && Number.isNaN(row[5]!));
    const { probabilities } = await runOnnx(trained.onnx, {
      features: new ort.Tensor('float32', Float32Array.from(row), [1, row.length]),
    });
    const expected = trained.predict([row]);
    for (let k = 0; k < expected.length; k += 1) assert.ok(Math.abs(expected[k]! - probabilities[k]!) <= 1e-5);
  });

  it('refuses bad training data with a clear error', () => {
    assert.throws(
      () => trainTabular(PENGUIN_FEATURES, []),
      (e: unknown) => e instanceof InvalidInput && /no training rows/.test(e.message),
    );
    assert.throws(
      () =>
        trainTabular(
          PENGUIN_FEATURES,
          train.filter((p) => p.label === 'Adelie'),
        ),
      (e: unknown) => e instanceof InvalidInput && /same label/.test(e.message),
    );
    const withNaN = [...train, { features: { ...train[0]!.features, body_mass_g: Number.NaN }, label: 'Gentoo' }];
    assert.throws(
      () => trainTabular(PENGUIN_FEATURES, withNaN),
      (e: unknown) => e instanceof InvalidInput && /body_mass_g.*finite number/.test(e.message),
    );
    assert.throws(() => trainTabular([], train), /no feature schema/);
  });

  it('stores the feature schema and labels in the ONNX metadata', async () => {
    const { fromBinary } = await import('@bufbuild/protobuf');
    const { ModelProtoSchema } = await import('onnx-buf');
    const model = fromBinary(ModelProtoSchema, trained.onnx);
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    assert.deepEqual(JSON.parse(meta['modeldesk.labels']!), trained.labels);
    assert.equal((JSON.parse(meta['modeldesk.feature_schema']!) as unknown[]).length, PENGUIN_FEATURES.length);
  });
});
