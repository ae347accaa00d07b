import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { FeatureSpec } from '../models/enums.js';
import type { Actor } from '../src/access/actor.js';
import { insertDataset } from './insert-dataset.js';
import { splitFor } from './split.js';

interface Penguin {
  Species: string;
  Island: string;
  'Beak Length (mm)': number | null;
  'Beak Depth (mm)': number | null;
  'Flipper Length (mm)': number | null;
  'Body Mass (g)': number | null;
  Sex: string | null;
}

const require = createRequire(import.meta.url);

export const PENGUIN_FEATURES: FeatureSpec[] = [
  { name: 'beak_length_mm', type: 'number', description: 'Culmen (beak) length in millimetres.' },
  { name: 'beak_depth_mm', type: 'number', description: 'Culmen (beak) depth in millimetres.' },
  { name: 'flipper_length_mm', type: 'number', description: 'Flipper length in millimetres.' },
  { name: 'body_mass_g', type: 'number', description: 'Body mass in grams.' },
  {
    name: 'island',
    type: 'category',
    categories: ['Biscoe', 'Dream', 'Torgersen'],
    description: 'Island where the bird was observed.',
  },
  { name: 'sex', type: 'category', categories: ['FEMALE', 'MALE'], description: 'Sex, when recorded.' },
];

/** The 344 birds as records: features keyed by PENGUIN_FEATURES, species as the label, a stable split. */
export function loadPenguins() {
  // The package exports only its JS entry (build/index.js); the data files sit beside it in data/.
  const file = path.join(path.dirname(require.resolve('vega-datasets')), '..', 'data', 'penguins.json');
  const penguins = JSON.parse(fs.readFileSync(file, 'utf8')) as Penguin[];
  return penguins.map((p, index) => ({
    features: {
      beak_length_mm: p['Beak Length (mm)'],
      beak_depth_mm: p['Beak Depth (mm)'],
      flipper_length_mm: p['Flipper Length (mm)'],
      body_mass_g: p['Body Mass (g)'],
      island: p.Island,
      sex: p.Sex === '.' ? null : p.Sex,
    },
    label: p.Species,
    split: splitFor(`penguins/${index}`),
    source: `vega-datasets/penguins.json#${index}`,
  }));
}

/** Palmer penguins (344 birds, 3 species; CC0) from the vega-datasets npm package. */
export async function seedPenguins(actor: Actor) {
  const penguins = loadPenguins();
  return insertDataset(
    actor,
    {
      name: 'penguins',
      description: 'Palmer Archipelago penguins: body measurements, island and sex; predict the species.',
      task: 'tabular-classification',
      labels: [...new Set(penguins.map((p) => p.label))].sort(),
      featureSchema: PENGUIN_FEATURES,
      source: 'Palmer Penguins (Gorman, Williams & Fraser 2014) via the npm package vega-datasets',
      license: 'CC0',
    },
    penguins.map((p) => ({ ...p, text: null, tags: [] })),
  );
}
