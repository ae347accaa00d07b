/**
 * The classes of a fit: its distinct labels, sorted (the order of the model's outputs), and each
 * example's class index. The trainers and the search number classes the same way through this.
 */
export function indexLabels(examples: ReadonlyArray<{ label: string }>): { labels: string[]; y: Int32Array } {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const classOf = new Map(labels.map((label, k) => [label, k]));
  return { labels, y: Int32Array.from(examples, (e) => classOf.get(e.label)!) };
}
