// The rows the drift reference (drift_reference.py) and the drift test share: the penguins demo dataset on
// its seeded train/test split, and a fixed "predicted label" per live bird (a rule of thumb on flipper and
// beak length, not a trained model), which the test writes as the version's predictions.
// Run: `node dist/test/reference/drift-demo-rows.js > /tmp/drift-rows.json` (see drift_reference.py).
import { fileURLToPath } from 'node:url';
import { loadPenguins, PENGUIN_FEATURES } from '../../seeders/penguins.js';

type Features = Record<string, number | string | null>;

/** The predicted label the test writes for a live (test split) bird. */
export function rulePrediction(features: Features): string {
  const flipper = features.flipper_length_mm;
  const beak = features.beak_length_mm;
  if (typeof flipper === 'number' && flipper >= 206) return 'Gentoo';
  return typeof beak === 'number' && beak >= 44 ? 'Chinstrap' : 'Adelie';
}

export function driftDemoRows() {
  const birds = loadPenguins();
  return {
    schema: PENGUIN_FEATURES.map(({ name, type }) => ({ name, type })),
    reference: birds
      .filter((b) => b.split === 'train' && b.label !== null)
      .map((b) => ({ features: b.features, label: b.label })),
    live: birds
      .filter((b) => b.split !== 'train')
      .map((b) => ({
        features: b.features,
        predicted: rulePrediction(b.features as Features),
      })),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(driftDemoRows()));
