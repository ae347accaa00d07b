/** The q-quantile of `values` (nearest rank), in ms with one decimal. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1));
}

/** p50 and p95 of `calls` sequential runs of `work`, after `warmUp` runs that are not counted. */
export async function latency(
  work: () => Promise<unknown>,
  calls: number,
  warmUp: number,
): Promise<{ p50Ms: number; p95Ms: number }> {
  for (let i = 0; i < warmUp; i += 1) await work();
  const samples: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return { p50Ms: percentile(samples, 0.5), p95Ms: percentile(samples, 0.95) };
}
