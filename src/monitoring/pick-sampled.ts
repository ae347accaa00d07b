/**
 * The instances (of `rows`) a sample at `rate` keeps, each kept with probability `rate` on its own
 * (Bernoulli sampling). Drawn as the gaps between kept instances (geometric), so a request costs one
 * random number per kept instance, not one per instance: 64 instances at 1% cost one draw, not 64.
 * Its own module: the inference threads pick their samples with it and must not load the database client.
 */
export function pickSampled(rows: number, rate: number, random: () => number = Math.random): number[] {
  const picked: number[] = [];
  if (rate <= 0 || rows <= 0) return picked;
  if (rate >= 1) return Array.from({ length: rows }, (_, i) => i);
  const logKeep = Math.log1p(-rate);
  // Instances skipped before the next kept one; 1 − U is in (0, 1], so its log is finite (`|| 0`: not −0).
  const gap = () => Math.floor(Math.log(1 - random()) / logKeep) || 0;
  for (let i = gap(); i < rows; i += 1 + gap()) picked.push(i);
  return picked;
}
