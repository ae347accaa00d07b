/**
 * "Least certain first" and "highest entropy first" at a million predictions, at a price scoring can
 * pay. Full indexes on (model_version_id, margin|entropy, record_id) made a scoring job 0.62× as fast
 * (every prediction inserted at a random place of two more b-trees: test/bench/uncertainty.bench.ts),
 * so the two indexes hold only the **uncertain** predictions, those with a margin under
 * UNCERTAIN_MARGIN (migration 20261208000200): a scoring job pays for those alone.
 *
 * A page is first read from the uncertain predictions (down the partial index), and is the true
 * page of the whole version when it can be proven so:
 * - least certain first (margin ascending): every uncertain prediction comes before every other, so a
 *   full page read from them is the page.
 * - highest entropy first: a prediction over k labels with a margin of at least m has an entropy of at
 *   most entropyCeiling(k, m) (the rest of the probability spread evenly), so a full page whose last
 *   entropy is above that ceiling holds no prediction outside the index.
 * Otherwise (past the uncertain ones, or the other directions) the page is read by sorting the
 * version's predictions: correct, and slower (measured in the benchmark).
 */
export const UNCERTAIN_MARGIN = 0.1;

/** The SQL condition of the partial indexes, on record_predictions (the planner must see it as written there). */
export const UNCERTAIN_CONDITION = `margin < ${UNCERTAIN_MARGIN}`;

/** The largest entropy (nats) of k probabilities whose top two differ by at least `margin`. */
export function entropyCeiling(k: number, margin: number): number {
  if (k < 2) return 0;
  const top = (1 + (k - 1) * margin) / k;
  const rest = (1 - margin) / k;
  const term = (p: number) => (p > 0 ? -p * Math.log(p) : 0);
  return term(top) + (k - 1) * term(rest);
}

export type UncertaintyColumn = 'margin' | 'entropy';

/** Whether the uncertain predictions alone can answer this order (least certain or highest entropy first). */
export const startsWithUncertain = (column: UncertaintyColumn, direction: 'ASC' | 'DESC'): boolean =>
  (column === 'margin' && direction === 'ASC') || (column === 'entropy' && direction === 'DESC');

/** Float4 rounding of the stored values: a page is only taken as complete with this much room. */
const ROUNDING = 1e-4;

/**
 * Whether `page` (read from the uncertain predictions only, `limit` asked for) is the page of all the
 * version's predictions in that order. `page` holds each row's prediction as stored.
 */
export function uncertainPageIsComplete(
  column: UncertaintyColumn,
  page: ReadonlyArray<{ entropy: number | null; probabilities: readonly number[] }>,
  limit: number,
): boolean {
  if (page.length < limit) return false;
  if (column === 'margin') return true;
  const last = page[page.length - 1]!;
  const k = last.probabilities.length;
  return last.entropy !== null && last.entropy > entropyCeiling(k, UNCERTAIN_MARGIN) + ROUNDING;
}
