// Placeholder for H2's src/review/queue-filter.ts (issue 22 plan, "Interfaces between helpers"): the drift
// report (H5) codes against these names. On merge, H2's file replaces this one.

/** A numeric range [min, max), a category value, or for text `length` (characters) or `out_of_vocabulary` (rate). */
export interface DriftSlice {
  feature: string;
  min?: number;
  max?: number;
  value?: string;
}

export interface QueueFilter {
  split?: 'train' | 'test' | 'holdout';
  tag?: string;
  label?: string;
  dedupe?: 'exact' | 'tfidf';
  similarity?: number;
  slice?: DriftSlice;
}
