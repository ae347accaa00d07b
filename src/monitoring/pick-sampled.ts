/**
 * The instances (of `rows`) a sample at `rate` keeps, each drawn on its own. Its own module: the
 * inference threads pick their samples with it and must not load the database client.
 */
export function pickSampled(rows: number, rate: number, random: () => number = Math.random): number[] {
  const picked: number[] = [];
  if (rate <= 0) return picked;
  for (let i = 0; i < rows; i += 1) if (random() < rate) picked.push(i);
  return picked;
}
