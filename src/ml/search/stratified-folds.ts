import { seededRandom, shuffleInPlace } from '../seeded-random.js';

/**
 * Stratified k-fold: each row's fold (0..k-1). Each class's rows are shuffled (seeded) and dealt
 * round-robin, the dealing continuing where the previous class stopped, so every fold holds about
 * 1/k of every class and the fold sizes differ by at most one.
 */
export function stratifiedFolds(y: Int32Array, k: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const fold = new Int32Array(y.length);
  const byClass = new Map<number, number[]>();
  y.forEach((label, row) => {
    const rows = byClass.get(label);
    if (rows) rows.push(row);
    else byClass.set(label, [row]);
  });
  let next = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = Int32Array.from(byClass.get(label)!);
    shuffleInPlace(rows, random);
    for (const row of rows) {
      fold[row] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/** The rows of fold `f` (held out) and of the other folds (fitted), each in row order. */
export function foldRows(folds: Int32Array, f: number): { fit: Int32Array; heldOut: Int32Array } {
  const fit: number[] = [];
  const heldOut: number[] = [];
  folds.forEach((fold, row) => (fold === f ? heldOut : fit).push(row));
  return { fit: Int32Array.from(fit), heldOut: Int32Array.from(heldOut) };
}
