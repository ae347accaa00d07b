/**
 * How sure one prediction is, from its probabilities (one place for the rule: batch scoring writes it
 * beside each prediction, the predict endpoint's samples carry it, the review queue orders by it).
 *
 * - margin: the highest probability minus the second highest (0: a tie between two labels, 1: certain).
 * - entropy: −Σ p·ln p in nats over the labels (0: certain, ln k: uniform over k labels); a zero
 *   probability adds nothing (the limit of p·ln p).
 *
 * Computed in float64 from the float32 probabilities the model answered; stored as Postgres `real`.
 */
export interface Uncertainty {
  margin: number;
  entropy: number;
  /** The index of the most probable label (the first of equals). */
  best: number;
}

/** The uncertainty of row `row` of a rows × k row-major probability matrix. */
export function uncertaintyOf(probabilities: ArrayLike<number>, row: number, k: number): Uncertainty {
  const start = row * k;
  let best = 0;
  let first = Number.NEGATIVE_INFINITY;
  let second = Number.NEGATIVE_INFINITY;
  let entropy = 0;
  for (let c = 0; c < k; c += 1) {
    const p = probabilities[start + c]!;
    if (p > first) {
      [second, first, best] = [first, p, c];
    } else if (p > second) {
      second = p;
    }
    if (p > 0) entropy -= p * Math.log(p);
  }
  // One label only: nothing competes with it (the migration's backfill reads a missing second as 0).
  const margin = k > 1 ? first - second : first;
  return { margin: clamp01(margin), entropy: Math.max(0, entropy), best };
}

/** Softmax outputs can overshoot [0, 1] by a rounding; the stored value stays in range. */
const clamp01 = (value: number) => Math.min(1, Math.max(0, value));
