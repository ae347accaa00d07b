import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../src/platform/project-root.js';
import { trainTabular } from '../../../src/ml/tabular/train-tabular.js';
import { trainText } from '../../../src/ml/text/train-text.js';
import {
  penguinSplit,
  spamSplit,
  syntheticBenchSplit,
  syntheticSoftmaxSplit,
  type TabularSplit,
} from '../../reference/export-demo-splits.js';
import { referenceMetrics, type ReferenceMetrics } from '../../reference/reference-metrics.js';

/** One dataset's entry in sklearn-reference.json (written by test/reference/sklearn_reference.py). */
interface ReferenceEntry {
  trainRows: number;
  testRows: number;
  c1: ReferenceMetrics & { C: number; l2: number };
  cv: ReferenceMetrics & { C: number; l2: number };
  truth?: ReferenceMetrics;
}

const reference = JSON.parse(
  fs.readFileSync(path.join(projectRoot, 'test', 'reference', 'sklearn-reference.json'), 'utf8'),
) as { datasets: Record<string, ReferenceEntry> };

/**
 * "Accuracy within noise": an accuracy a measured on n test rows has a binomial standard error
 * √(a(1 − a)/n); two classifiers whose accuracies differ by less than two of those are not told apart
 * by this test set. At least one test row, so a perfect score does not make the band zero.
 */
function accuracyBand(accuracy: number, rows: number): number {
  return Math.max(2 * Math.sqrt((accuracy * (1 - accuracy)) / rows), 1 / rows);
}

/** The "done": accuracy within noise of CV scikit-learn, log loss no worse by > 0.005, ECE ≤ 0.02. */
function assertAsGoodAsTunedSklearn(name: string, ours: ReferenceMetrics, entry: ReferenceEntry): void {
  const { cv } = entry;
  const shown = `${name}: ours ${JSON.stringify(ours)} vs scikit-learn CV (C = ${cv.C}) ${JSON.stringify(cv)}`;
  assert.ok(ours.accuracy >= cv.accuracy - accuracyBand(cv.accuracy, entry.testRows), shown);
  assert.ok(ours.logLoss <= cv.logLoss + 0.005, shown);
  assert.ok(ours.ece <= 0.02, shown);
  if (cv.meanAbsProbabilityError !== undefined)
    assert.ok(ours.meanAbsProbabilityError! <= cv.meanAbsProbabilityError + 0.005, shown);
}

function fitTabular(split: TabularSplit, options: { l2?: number } = {}) {
  const examples = (rows: Float64Array[], y: Int32Array) =>
    rows.map((row, i) => ({
      features: Object.fromEntries(
        split.schema.map((spec, j) => [
          spec.name,
          spec.type === 'number'
            ? Number.isNaN(row[j]!)
              ? null
              : row[j]!
            : Number.isNaN(row[j]!)
              ? null
              : spec.categories![row[j]!]!,
        ]),
      ),
      label: split.labels[y[i]!]!,
    }));
  const trained = trainTabular(split.schema, examples(split.train.rows, split.train.y), options);
  assert.deepEqual(trained.labels, split.labels);
  const probabilities = trained.predict(split.test.rows);
  return {
    trained,
    metrics: referenceMetrics(split.test.y, probabilities, split.labels.length, split.test.trueProbabilities),
  };
}

describe('default fits as good as scikit-learn with C chosen by 5-fold CV (test/reference/sklearn-reference.json)', () => {
  it('penguins (demo split): accuracy, log loss, ECE; converged', () => {
    const { trained, metrics } = fitTabular(penguinSplit());
    assert.equal(trained.history.converged, true);
    assertAsGoodAsTunedSklearn('penguins', metrics, reference.datasets.penguins!);
  });

  it('synthetic softmax (known true probabilities): and the probabilities are as close to the truth', () => {
    const { trained, metrics } = fitTabular(syntheticSoftmaxSplit());
    assert.equal(trained.history.converged, true);
    assertAsGoodAsTunedSklearn('synthetic-softmax', metrics, reference.datasets['synthetic-softmax']!);
  });

  it('synthetic 100,000 × 30 (the benchmark set, true P = Φ(x·h / 2))', function () {
    this.timeout(300_000);
    const { trained, metrics } = fitTabular(syntheticBenchSplit());
    assert.equal(trained.history.converged, true);
    assertAsGoodAsTunedSklearn('synthetic-bench', metrics, reference.datasets['synthetic-bench']!);
  });

  it('spam (demo split, TF-IDF): accuracy, log loss, ECE; converged', function () {
    this.timeout(300_000);
    const { train, test } = spamSplit();
    const trained = trainText(train);
    assert.equal(trained.history.converged, true);
    const y = test.map((e) => trained.labels.indexOf(e.label));
    const metrics = referenceMetrics(y, trained.predict(test.map((e) => e.text)), trained.labels.length);
    assertAsGoodAsTunedSklearn('spam', metrics, reference.datasets.spam!);
  });

  it('optimises the same objective as scikit-learn: at l2 = 1 / (n·C) it lands on the same test metrics', () => {
    for (const [name, split] of [
      ['penguins', penguinSplit()],
      ['synthetic-softmax', syntheticSoftmaxSplit()],
    ] as const) {
      const entry = reference.datasets[name]!;
      for (const theirs of [entry.c1, entry.cv]) {
        const { metrics } = fitTabular(split, { l2: theirs.l2 });
        const shown = `${name} at C = ${theirs.C}: ours ${JSON.stringify(metrics)} vs ${JSON.stringify(theirs)}`;
        assert.equal(metrics.accuracy, theirs.accuracy, shown);
        assert.ok(Math.abs(metrics.logLoss - theirs.logLoss) < 1e-4, shown);
        assert.ok(Math.abs(metrics.brier - theirs.brier) < 1e-4, shown);
      }
    }
  });
});
