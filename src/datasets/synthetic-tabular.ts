import type { FeatureSpec } from '../../models/enums.js';
import { seededRandom } from '../ml/seeded-random.js';

/**
 * A synthetic tabular dataset: `features` standard-normal numbers, labelled by a hidden linear rule
 * plus noise (so no model reaches 100%). Deterministic for a seed. Used by benchmarks and `cli generate`.
 */
export function syntheticTabular(rows: number, features = 30, seed = 7) {
  const { schema, next } = syntheticTabularStream(features, seed);
  return { schema, examples: Array.from({ length: rows }, next) };
}

/** The same data one row at a time (constant memory, e.g. for `cli generate` of a million rows). */
export function syntheticTabularStream(features = 30, seed = 7) {
  const random = seededRandom(seed);
  const normal = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const hidden = Float64Array.from({ length: features }, () => normal());
  const schema: FeatureSpec[] = Array.from({ length: features }, (_, j) => ({
    name: `f${String(j + 1).padStart(2, '0')}`,
    type: 'number',
  }));
  /**
   * The next row's values into `out` (schema order), returning its label: no object or array per
   * row, for `cli generate`, which writes a million of them.
   */
  const nextInto = (out: Float64Array): string => {
    let score = 0;
    for (let j = 0; j < features; j += 1) out[j] = normal();
    for (let j = 0; j < features; j += 1) score += out[j]! * hidden[j]!;
    return score + normal() * 2 > 0 ? 'positive' : 'negative';
  };
  const next = () => {
    const values = new Float64Array(features);
    const label = nextInto(values);
    const row: Record<string, number> = {};
    schema.forEach((spec, j) => (row[spec.name] = values[j]!));
    return { features: row, label };
  };
  return { schema, labels: ['negative', 'positive'], next, nextInto };
}
