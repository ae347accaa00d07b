// Writes the rows scikit-learn is compared on into a folder (argv[2]), for sklearn_reference.py:
// the demo datasets on ModelDesk's own train/test split (from the seeders) and two synthetic sets
// whose true class probabilities are known. Run: `node dist/test/reference/export-demo-splits.js DIR`.
import fs from 'node:fs';
import path from 'node:path';
import { loadPenguins, PENGUIN_FEATURES } from '../../seeders/penguins.js';
import { loadSpamAssassin } from '../../seeders/spam-assassin.js';
import { syntheticTabular } from '../../src/datasets/synthetic-tabular.js';
import { seededRandom } from '../../src/ml/seeded-random.js';
import { encodeRow } from '../../src/ml/tabular/tabular-encoder.js';
import type { FeatureSpec } from '../../models/enums.js';

/** A tabular split as the trainers and the script see it: raw encoded rows (NaN = missing), class indices. */
export interface TabularSplit {
  schema: FeatureSpec[];
  labels: string[];
  train: { rows: Float64Array[]; y: Int32Array };
  test: { rows: Float64Array[]; y: Int32Array; trueProbabilities?: Float64Array };
}

export function spamSplit() {
  const emails = loadSpamAssassin();
  return {
    train: emails.filter((e) => e.split === 'train').map(({ text, label }) => ({ text, label })),
    test: emails.filter((e) => e.split === 'test').map(({ text, label }) => ({ text, label })),
  };
}

export function penguinSplit(): TabularSplit {
  const birds = loadPenguins();
  const labels = [...new Set(birds.map((b) => b.label))].sort();
  const part = (split: string) => {
    const chosen = birds.filter((b) => b.split === split);
    return {
      rows: chosen.map((b) => encodeRow(b.features, PENGUIN_FEATURES)),
      y: Int32Array.from(chosen, (b) => labels.indexOf(b.label)),
    };
  };
  return { schema: PENGUIN_FEATURES, labels, train: part('train'), test: part('test') };
}

const normalFrom = (random: () => number) => () => {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
};

/** Φ, the standard normal CDF (Abramowitz & Stegun 7.1.26 on erf; |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * The benchmark's 100,000 × 30 set (src/datasets/synthetic-tabular.ts, seed 7) plus 10,000 test rows.
 * Its rule is label = positive when x·h + 2·ε > 0 (ε standard normal), so P(positive | x) = Φ(x·h / 2):
 * h is recomputed here by drawing as the generator does (checked against its rows below).
 */
export function syntheticBenchSplit(): TabularSplit {
  const features = 30;
  const { schema, examples } = syntheticTabular(110_000, features, 7);
  const normal = normalFrom(seededRandom(7));
  const hidden = Float64Array.from({ length: features }, () => normal());
  const labels = ['negative', 'positive'];
  const rows = examples.map((e) => Float64Array.from(schema, (spec) => Number(e.features[spec.name])));
  // Same draws as the generator: after h, each row is its 30 values then the noise.
  for (let i = 0; i < 3; i += 1) {
    for (let j = 0; j < features; j += 1)
      if (normal() !== rows[i]![j]) throw new Error('synthetic-tabular.ts no longer draws as this export assumes');
    normal();
  }
  const y = Int32Array.from(examples, (e) => labels.indexOf(e.label));
  const trueProbabilities = new Float64Array(10_000 * 2);
  for (let i = 0; i < 10_000; i += 1) {
    let score = 0;
    for (let j = 0; j < features; j += 1) score += rows[100_000 + i]![j]! * hidden[j]!;
    const p = normalCdf(score / 2);
    trueProbabilities[i * 2] = 1 - p;
    trueProbabilities[i * 2 + 1] = p;
  }
  return {
    schema,
    labels,
    train: { rows: rows.slice(0, 100_000), y: y.slice(0, 100_000) },
    test: { rows: rows.slice(100_000), y: y.slice(100_000), trueProbabilities },
  };
}

/**
 * A well-specified set: x ~ N(0, 1)^10, P(class | x) = softmax(x·W* + b*) over 3 classes, labels
 * drawn from it (seed 26). A correct, converged fit recovers these probabilities as rows grow.
 */
export function syntheticSoftmaxSplit(trainRows = 20_000, testRows = 10_000): TabularSplit {
  const features = 10;
  const classes = 3;
  const random = seededRandom(26);
  const normal = normalFrom(random);
  const weights = Float64Array.from({ length: features * classes }, () => normal() * 0.8);
  const bias = Float64Array.of(0.5, 0, -0.5);
  const schema: FeatureSpec[] = Array.from({ length: features }, (_, j) => ({ name: `x${j + 1}`, type: 'number' }));
  const draw = (count: number) => {
    const rows: Float64Array[] = [];
    const y = new Int32Array(count);
    const probabilities = new Float64Array(count * classes);
    for (let i = 0; i < count; i += 1) {
      const row = Float64Array.from({ length: features }, () => normal());
      const logits = Array.from(bias);
      for (let j = 0; j < features; j += 1)
        for (let k = 0; k < classes; k += 1) logits[k]! += row[j]! * weights[j * classes + k]!;
      const max = Math.max(...logits);
      const exp = logits.map((l) => Math.exp(l - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      let u = random();
      let label = classes - 1;
      for (let k = 0; k < classes; k += 1) {
        probabilities[i * classes + k] = exp[k]! / sum;
        if (label === classes - 1 && (u -= exp[k]! / sum) < 0) label = k;
      }
      rows.push(row);
      y[i] = label;
    }
    return { rows, y, trueProbabilities: probabilities };
  };
  const train = draw(trainRows);
  const test = draw(testRows);
  return { schema, labels: ['a', 'b', 'c'], train: { rows: train.rows, y: train.y }, test };
}

function writeTabular(folder: string, name: string, split: TabularSplit): void {
  const width = split.schema.length;
  const flat = (rows: Float64Array[]) => {
    const out = new Float64Array(rows.length * width);
    rows.forEach((row, i) => out.set(row, i * width));
    return out;
  };
  const write = (file: string, data: Float64Array | Int32Array) =>
    fs.writeFileSync(
      path.join(folder, `${name}.${file}`),
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
  write('train_x.f64', flat(split.train.rows));
  write('train_y.i32', split.train.y);
  write('test_x.f64', flat(split.test.rows));
  write('test_y.i32', split.test.y);
  if (split.test.trueProbabilities) write('test_p.f64', split.test.trueProbabilities);
  fs.writeFileSync(
    path.join(folder, `${name}.meta.json`),
    JSON.stringify({
      labels: split.labels,
      features: split.schema.map((s) => ({ name: s.name, type: s.type, categories: s.categories?.length ?? 0 })),
      trueProbabilities: Boolean(split.test.trueProbabilities),
    }),
  );
}

function main(folder: string): void {
  fs.mkdirSync(folder, { recursive: true });
  const spam = spamSplit();
  for (const part of ['train', 'test'] as const)
    fs.writeFileSync(path.join(folder, `spam.${part}.jsonl`), spam[part].map((r) => JSON.stringify(r)).join('\n'));
  writeTabular(folder, 'penguins', penguinSplit());
  writeTabular(folder, 'synthetic-bench', syntheticBenchSplit());
  writeTabular(folder, 'synthetic-softmax', syntheticSoftmaxSplit());
}

if (process.argv[1]?.endsWith('export-demo-splits.js')) {
  const folder = process.argv[2];
  if (!folder) throw new Error('Usage: node dist/test/reference/export-demo-splits.js OUTPUT_FOLDER');
  main(folder);
}
