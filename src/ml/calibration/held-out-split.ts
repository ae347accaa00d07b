import { seededRandom, shuffleInPlace } from '../seeded-random.js';

/**
 * Splits row indices into a fit part and a held-out part of about `share` per label (stratified, so
 * a rare label is represented in both), reproducibly for a seed. A label keeps at least one row in the
 * fit part, so the model still learns every label. Both parts are in the rows' original order.
 */
export function heldOutSplit(
  labels: readonly string[],
  share: number,
  seed: number,
): { fit: number[]; heldOut: number[] } {
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => byLabel.set(label, [...(byLabel.get(label) ?? []), i]));
  const random = seededRandom(seed);
  const held = new Set<number>();
  for (const label of [...byLabel.keys()].sort()) {
    const rows = Int32Array.from(byLabel.get(label)!);
    shuffleInPlace(rows, random);
    const take = Math.min(rows.length - 1, Math.round(rows.length * share));
    for (let i = 0; i < take; i += 1) held.add(rows[i]!);
  }
  const fit: number[] = [];
  const heldOut: number[] = [];
  labels.forEach((_, i) => (held.has(i) ? heldOut : fit).push(i));
  return { fit, heldOut };
}
