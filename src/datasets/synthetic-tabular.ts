import type { FeatureSpec } from '../../models/enums.js';
import { seededRandom } from '../ml/seeded-random.js';

/**
 * A synthetic tabular dataset: `features` standard-normal numbers, labelled by a hidden linear rule
 * plus noise (so no model reaches 100%). Deterministic for a seed. Used by benchmarks and `cli generate`.
 */
export function syntheticTabular(rows: number, features = 30, seed = 7) {
  const random = seededRandom(seed);
  const normal = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const hidden = Float64Array.from({ length: features }, () => normal());
  const schema: FeatureSpec[] = Array.from({ length: features }, (_, j) => ({ name: `f${String(j + 1).padStart(2, '0')}`, type: 'number' }));
  const examples = Array.from({ length: rows }, () => {
    const values = Float64Array.from({ length: features }, () => normal());
    let score = 0;
    for (let j = 0; j < features; j += 1) score += values[j]! * hidden[j]!;
    const features_: Record<string, number> = {};
    schema.forEach((spec, j) => (features_[spec.name] = values[j]!));
    return { features: features_, label: score + normal() * 2 > 0 ? 'positive' : 'negative' };
  });
  return { schema, examples };
}
