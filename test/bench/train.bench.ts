// `npm run bench`: training speed of the in-house trainers, as JSON on stdout. Targets (issue 4):
// 100,000 × 30 tabular rows in ≤ 2 s; the SpamAssassin text demo in ≤ 5 s; on a 2-core machine.
// Baseline in the same run: scikit-learn fitting the same data (test/bench/sklearn_baseline.py), at its
// default C = 1; ours at their defaults (full-batch L-BFGS to convergence, no hyperparameter search).
import { loadSpamAssassin } from '../../seeders/spam-assassin.js';
import { syntheticTabular } from '../../src/datasets/synthetic-tabular.js';
import { encodeRow } from '../../src/ml/tabular/tabular-encoder.js';
import { trainTabular } from '../../src/ml/tabular/train-tabular.js';
import { trainText } from '../../src/ml/text/train-text.js';
import { referenceMetrics } from '../reference/reference-metrics.js';
import { runSklearnBaseline } from './sklearn-baseline.js';
import { machine } from './machine.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (ms: number) => Math.round(ms);
/** Test accuracy, log loss and ECE (15 bins), defined as in the baseline script, to 4 decimals. */
const testMetrics = (y: number[], probabilities: Float64Array, classes: number) => {
  const { accuracy, logLoss, ece } = referenceMetrics(y, probabilities, classes);
  const four = (v: number) => Number(v.toFixed(4));
  return { testAccuracy: four(accuracy), logLoss: four(logLoss), ece: four(ece) };
};

const tabularData = syntheticTabular(110_000);
const spamAssassin = loadSpamAssassin();

function benchTabular() {
  const { schema, examples } = tabularData;
  const train = examples.slice(0, 100_000);
  const test = examples.slice(100_000);
  const runs = Array.from({ length: REPEATS }, () => {
    const started = performance.now();
    const trained = trainTabular(schema, train);
    return { totalMs: performance.now() - started, trained };
  });
  const last = runs.at(-1)!.trained;
  const probabilities = last.predict(test.map((e) => encodeRow(e.features, schema)));
  const metrics = testMetrics(
    test.map((e) => last.labels.indexOf(e.label)),
    probabilities,
    last.labels.length,
  );
  return {
    rows: train.length,
    features: schema.length,
    totalMs: round(median(runs.map((r) => r.totalMs))),
    prepareMs: round(median(runs.map((r) => r.trained.timings.prepareMs))),
    fitMs: round(median(runs.map((r) => r.trained.timings.fitMs))),
    exportMs: round(median(runs.map((r) => r.trained.timings.exportMs))),
    iterations: last.history.iterations,
    converged: last.history.converged,
    ...metrics,
    targetMs: 2_000,
  };
}

function benchText() {
  const emails = spamAssassin;
  const train = emails.filter((e) => e.split === 'train');
  const test = emails.filter((e) => e.split === 'test');
  const runs = Array.from({ length: REPEATS }, () => {
    const started = performance.now();
    const trained = trainText(train);
    return { totalMs: performance.now() - started, trained };
  });
  const last = runs.at(-1)!.trained;
  const metrics = testMetrics(
    test.map((e) => last.labels.indexOf(e.label)),
    last.predict(test.map((e) => e.text)),
    last.labels.length,
  );
  const timing = (key: keyof typeof last.timings) => round(median(runs.map((r) => r.trained.timings[key])));
  return {
    documents: train.length,
    vocabulary: last.vocabularySize,
    totalMs: round(median(runs.map((r) => r.totalMs))),
    tokenizeMs: timing('tokenizeMs'),
    vocabularyMs: timing('vocabularyMs'),
    vectorizeMs: timing('vectorizeMs'),
    fitMs: timing('fitMs'),
    exportMs: timing('exportMs'),
    iterations: last.history.iterations,
    converged: last.history.converged,
    ...metrics,
    targetMs: 5_000,
  };
}

/** The tabular rows as a dense float64 matrix and 0/1 labels, for the baseline. */
function dense(rows: typeof tabularData.examples) {
  const width = tabularData.schema.length;
  const x = new Float64Array(rows.length * width);
  rows.forEach((row, i) =>
    tabularData.schema.forEach((spec, j) => (x[i * width + j] = Number(row.features[spec.name]))),
  );
  return { x, y: Uint8Array.from(rows, (row) => (row.label === 'positive' ? 1 : 0)) };
}

const ours = { tabular: benchTabular(), text: benchText() };
const baseline = runSklearnBaseline({
  features: tabularData.schema.length,
  train: dense(tabularData.examples.slice(0, 100_000)),
  test: dense(tabularData.examples.slice(100_000)),
  texts: spamAssassin.map((e) => ({ text: e.text, label: e.label, split: e.split })),
  repeats: REPEATS,
});
const totalOf = (part: unknown) => (part as { totalMs?: number } | undefined)?.totalMs;
const speedup = (key: 'tabular' | 'text') => {
  const theirs = totalOf(baseline[key]);
  return theirs ? Number((theirs / ours[key].totalMs).toFixed(2)) : null;
};

const result = {
  benchmark: 'training',
  when: new Date().toISOString(),
  machine: machine(),
  repeats: REPEATS,
  ...ours,
  baseline,
  /** Baseline time ÷ our time: above 1, we are faster. */
  speedupVsBaseline: { tabular: speedup('tabular'), text: speedup('text') },
};
console.log(JSON.stringify(result, null, 2));
