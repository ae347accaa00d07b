import { tfidfMatrix, tokenize, type Vocabulary } from '../ml/text/tfidf.js';
import { DEFAULT_SIMILARITY, normaliseText, type QueueFilter } from './queue-filter.js';

/** What the dedupe compares of a candidate: its text (text datasets) or its features in schema order. */
export interface DedupeInput {
  text: string | null;
  features: Readonly<Record<string, unknown>> | null;
}

/**
 * Admits candidates in queue order and refuses those that duplicate one admitted before, so the first
 * (the strategy's most wanted) of each group stays. Exact: the same normalised text (tabular: the same
 * feature values). TF-IDF: also a cosine ≥ the threshold between sublinear TF-IDF vectors built with
 * the version's own vocabulary (as its model sees the text); vectors are unit length, so the cosine is
 * a dot product, found through an inverted index over the words of the admitted texts.
 */
export class NearDuplicates {
  private readonly seen = new Set<string>();
  private readonly postings = new Map<number, Array<{ item: number; weight: number }>>();
  private admitted = 0;
  dropped = 0;

  constructor(
    private readonly mode: QueueFilter['dedupe'],
    private readonly featureNames: readonly string[],
    private readonly vocabulary: Vocabulary | null,
    private readonly similarity = DEFAULT_SIMILARITY,
  ) {}

  /** True when the candidate is kept (and remembered), false when it is a duplicate of one kept. */
  admit(candidate: DedupeInput): boolean {
    if (!this.mode) return true;
    const key = this.exactKey(candidate);
    if (this.seen.has(key)) return this.drop();
    if (this.mode === 'tfidf' && this.vocabulary && candidate.text !== null) {
      const vector = tfidfMatrix([tokenize(candidate.text)], this.vocabulary);
      if (this.nearest(vector.indices, vector.values) >= this.similarity - 1e-9) return this.drop();
      const item = this.admitted;
      vector.indices.forEach((column, p) => {
        const list = this.postings.get(column) ?? [];
        list.push({ item, weight: vector.values[p]! });
        this.postings.set(column, list);
      });
    }
    this.seen.add(key);
    this.admitted += 1;
    return true;
  }

  private drop(): false {
    this.dropped += 1;
    return false;
  }

  /** The highest cosine between this vector and an admitted one (0 when it shares no word). */
  private nearest(indices: Int32Array, values: Float64Array): number {
    const dots = new Map<number, number>();
    indices.forEach((column, p) => {
      for (const { item, weight } of this.postings.get(column) ?? [])
        dots.set(item, (dots.get(item) ?? 0) + weight * values[p]!);
    });
    let best = 0;
    for (const dot of dots.values()) if (dot > best) best = dot;
    return best;
  }

  private exactKey(candidate: DedupeInput): string {
    if (candidate.text !== null) return `t:${normaliseText(candidate.text)}`;
    const features = candidate.features ?? {};
    return `f:${JSON.stringify(this.featureNames.map((name) => features[name] ?? null))}`;
  }
}
