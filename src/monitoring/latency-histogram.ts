/**
 * Latency histograms stored in Postgres (request_stats, inference_stats): counts per bucket, the
 * bucket's upper bound in milliseconds below; the last count is everything slower. Buckets of
 * different processes and minutes add up, so percentiles stay computable after aggregation.
 */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const;

export const emptyHistogram = (): number[] => new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);

export function observe(histogram: number[], ms: number): void {
  let i = 0;
  while (i < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[i]!) i += 1;
  histogram[i] = (histogram[i] ?? 0) + 1;
}

/** Element-wise sum (histograms stored before a bound was added are shorter). */
export function addHistograms(into: number[], other: readonly number[]): number[] {
  for (let i = 0; i < other.length; i += 1) into[i] = (into[i] ?? 0) + (other[i] ?? 0);
  return into;
}

/**
 * The q-quantile (0 < q < 1) in milliseconds, interpolated linearly inside its bucket (as
 * Prometheus's histogram_quantile does); null without observations. Past the last bound it answers
 * the last bound: "at least this slow".
 */
export function percentile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i += 1) {
    const count = histogram[i] ?? 0;
    if (count > 0 && seen + count >= rank) {
      if (i >= LATENCY_BOUNDS_MS.length) return LATENCY_BOUNDS_MS.at(-1)!;
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BOUNDS_MS[i]!;
      return lower + ((upper - lower) * (rank - seen)) / count;
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}
