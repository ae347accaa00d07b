import assert from 'node:assert/strict';
import type { FeatureSpec } from '../../../models/enums.js';
import { heldOutSplit } from '../../../src/ml/calibration/held-out-split.js';
import { applyTemperature, fitTemperature } from '../../../src/ml/calibration/temperature.js';
import { fitPipeline, type FitRequest, type FitRow } from '../../../src/ml/fit-pipeline.js';
import { evaluate } from '../../../src/ml/metrics.js';
import { readOnnxModel } from '../../../src/ml/onnx-model-proto.js';
import { seededRandom } from '../../../src/ml/seeded-random.js';
import { encodeRow } from '../../../src/ml/tabular/tabular-encoder.js';
import { ort, runOnnx } from '../../support/onnx.js';

/**
 * Few rows, many noise features, labels drawn from known probabilities (logistic in two features):
 * a fit with almost no L2 separates the training rows and is over-confident on new ones.
 */
function overConfidentData(rows: number, seed: number): { schema: FeatureSpec[]; rows: FitRow[] } {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const schema: FeatureSpec[] = Array.from({ length: 40 }, (_, j) => ({ name: `x${j}`, type: 'number' }));
  return {
    schema,
    rows: Array.from({ length: rows }, (_, id) => {
      const x = schema.map(() => gaussian());
      const p = 1 / (1 + Math.exp(-(x[0]! + 0.5 * x[1]!)));
      return {
        id,
        text: null,
        features: Object.fromEntries(schema.map((s, j) => [s.name, x[j]])),
        label: random() < p ? 'yes' : 'no',
      };
    }),
  };
}

describe('temperature scaling', () => {
  it('recovers the temperature of probabilities made over-confident by a known factor', () => {
    const random = seededRandom(7);
    const k = 3;
    const n = 4000;
    const over = new Float64Array(n * k);
    const actual: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const logits = [random() * 4, random() * 4, random() * 4];
      const true_ = softmax(logits);
      const draw = random();
      actual.push(draw < true_[0]! ? 0 : draw < true_[0]! + true_[1]! ? 1 : 2);
      over.set(softmax(logits.map((z) => z * 2.5)), i * k);
    }
    const fit = fitTemperature(k, actual, over);
    assert.ok(Math.abs(fit.temperature - 2.5) < 0.25, `T = ${fit.temperature}`);
    assert.ok(fit.logLossAfter < fit.logLossBefore);
    const scaled = applyTemperature(over, k, fit.temperature);
    for (let i = 0; i < n; i += 1) {
      const row = Array.from(scaled.subarray(i * k, i * k + k));
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      const before = Array.from(over.subarray(i * k, i * k + k));
      assert.equal(row.indexOf(Math.max(...row)), before.indexOf(Math.max(...before)), 'labels unchanged');
    }
  });

  it('keeps T = 1 when every held-out row is right (the loss would only fall as T → 0)', () => {
    const fit = fitTemperature(2, [0, 1, 1], [0.9, 0.1, 0.3, 0.7, 0.45, 0.55]);
    assert.equal(fit.temperature, 1);
    assert.equal(fit.logLossAfter, fit.logLossBefore);
    assert.match(fit.kept ?? '', /every held-out row was classified right/);
  });

  it('holds out about 15% of each label, reproducibly, keeping every label in the fit part', () => {
    const labels = [...Array<string>(100).fill('a'), ...Array<string>(20).fill('b'), 'c'];
    const split = heldOutSplit(labels, 0.15, 42);
    const count = (rows: number[], label: string) => rows.filter((i) => labels[i] === label).length;
    assert.deepEqual(
      ['a', 'b', 'c'].map((l) => count(split.heldOut, l)),
      [15, 3, 0],
    );
    assert.equal(split.fit.length + split.heldOut.length, labels.length);
    assert.deepEqual(heldOutSplit(labels, 0.15, 42), split);
    assert.notDeepEqual(heldOutSplit(labels, 0.15, 43).heldOut, split.heldOut);
  });

  describe('in the fit pipeline, on an over-confident model', () => {
    const train = overConfidentData(600, 1);
    const test = overConfidentData(2000, 2).rows;
    const request = (calibrate: boolean): FitRequest => ({
      task: 'tabular-classification',
      schema: train.schema,
      train: train.rows,
      test,
      options: { l2: 0, calibrate },
    });
    const plain = fitPipeline(request(false));
    const calibrated = fitPipeline(request(true));
    const scored = (probabilities: Float64Array) =>
      evaluate(
        plain.labels,
        test.map((r) => plain.labels.indexOf(r.label)),
        probabilities,
      ).calibration;

    it('fits T > 1 and lowers the test log loss and ECE', () => {
      const before = scored(plain.probabilities);
      const after = scored(calibrated.probabilities);
      assert.ok(calibrated.temperature! > 1, `T = ${calibrated.temperature}`);
      assert.ok(after.logLoss < before.logLoss, `log loss ${before.logLoss} → ${after.logLoss}`);
      assert.ok(after.ece < before.ece, `ECE ${before.ece} → ${after.ece}`);
      assert.equal(calibrated.heldOut!.rows, 90);
      assert.ok(calibrated.heldOut!.logLossAfter < calibrated.heldOut!.logLossBefore);
      assert.equal(calibrated.hyperparameters.calibrate, true);
    });

    it('exports T inside the same ONNX graph: onnxruntime gives the TypeScript probabilities (1e-5)', async () => {
      const width = train.schema.length;
      const flat = new Float32Array(test.length * width);
      test.forEach((r, i) => flat.set(encodeRow(r.features!, train.schema), i * width));
      const { probabilities, label } = await runOnnx(calibrated.onnx, {
        features: new ort.Tensor('float32', flat, [test.length, width]),
      });
      let worst = 0;
      calibrated.probabilities.forEach((p, i) => (worst = Math.max(worst, Math.abs(p - probabilities[i]!))));
      assert.ok(worst <= 1e-5, `max difference ${worst}`);
      const k = calibrated.labels.length;
      label.forEach((l, i) => {
        const row = Array.from(calibrated.probabilities.subarray(i * k, i * k + k));
        assert.equal(l, calibrated.labels[row.indexOf(Math.max(...row))]);
      });
      assert.equal(
        readOnnxModel(calibrated.onnx, 'calibrated.onnx').metadata['modeldesk.temperature'],
        String(calibrated.temperature),
      );
    });
  });
});

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
