import { InvalidInput } from '../../errors/domain-error.js';
import type { SparseMatrix } from '../sparse-matrix.js';
import { tokenize } from './tokenize.js';

export interface TfidfOptions {
  /** Ignore words in fewer documents than this. */
  minDf: number;
  /** Keep at most this many words, the most frequent by document count. */
  maxFeatures: number;
}

export const DEFAULT_TFIDF_OPTIONS: TfidfOptions = { minDf: 2, maxFeatures: 20_000 };

export interface Vocabulary {
  words: string[];
  index: Map<string, number>;
  /** Smooth idf as scikit-learn computes it: ln((1 + n) / (1 + df)) + 1. */
  idf: Float64Array;
}

/** Builds the vocabulary and idf weights from the training documents' tokens. */
export function fitVocabulary(
  documents: readonly string[][],
  options: TfidfOptions = DEFAULT_TFIDF_OPTIONS,
): Vocabulary {
  const df = new Map<string, number>();
  for (const tokens of documents) {
    for (const word of new Set(tokens)) df.set(word, (df.get(word) ?? 0) + 1);
  }
  const words = [...df.entries()]
    .filter(([, count]) => count >= options.minDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxFeatures)
    .map(([word]) => word);
  if (words.length === 0) {
    throw new InvalidInput(
      'training.empty_vocabulary',
      `No word occurs in at least ${options.minDf} training documents: add text or lower min_df.`,
    );
  }
  const n = documents.length;
  const idf = Float64Array.from(words, (w) => Math.log((1 + n) / (1 + df.get(w)!)) + 1);
  return { words, index: new Map(words.map((w, i) => [w, i])), idf };
}

/** Sublinear tf (1 + ln tf) × idf, each row scaled to unit L2 norm; words outside the vocabulary are dropped. */
export function tfidfMatrix(documents: readonly string[][], vocabulary: Vocabulary): SparseMatrix {
  const indptr = new Int32Array(documents.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const counts = new Map<number, number>();
  documents.forEach((tokens, row) => {
    counts.clear();
    for (const token of tokens) {
      const j = vocabulary.index.get(token);
      if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
    }
    const columns = [...counts.keys()].sort((a, b) => a - b);
    let norm = 0;
    const start = values.length;
    for (const j of columns) {
      const weight = (1 + Math.log(counts.get(j)!)) * vocabulary.idf[j]!;
      indices.push(j);
      values.push(weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let p = start; p < values.length; p += 1) values[p]! /= norm;
    indptr[row + 1] = values.length;
  });
  return {
    rows: documents.length,
    cols: vocabulary.words.length,
    indptr,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}

export { tokenize };
