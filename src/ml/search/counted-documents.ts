import { InvalidInput } from '../../errors/domain-error.js';
import type { SparseMatrix } from '../sparse-matrix.js';
import type { TfidfOptions } from '../text/tfidf.js';

/**
 * The training documents counted once: each as its distinct words (ids into `words`) with their counts.
 * A search builds a vocabulary and TF-IDF matrices per fold and per vectoriser setting, up to 45 times;
 * from strings (fitVocabulary, tfidfMatrix) that is seconds each on the demo corpus, from these counts
 * milliseconds. The results are the same as theirs (test/unit/ml/search.test.ts checks it).
 */
export interface CountedDocuments {
  words: string[];
  /** Document d's word ids are ids[start[d] .. start[d + 1]), their counts at the same places. */
  start: Int32Array;
  ids: Int32Array;
  counts: Int32Array;
}

export function countDocuments(documents: readonly string[][]): CountedDocuments {
  const idOf = new Map<string, number>();
  const words: string[] = [];
  const start = new Int32Array(documents.length + 1);
  const ids: number[] = [];
  const counts: number[] = [];
  const inDocument = new Map<number, number>();
  documents.forEach((tokens, d) => {
    inDocument.clear();
    for (const token of tokens) {
      let id = idOf.get(token);
      if (id === undefined) {
        id = words.length;
        idOf.set(token, id);
        words.push(token);
      }
      inDocument.set(id, (inDocument.get(id) ?? 0) + 1);
    }
    for (const [id, count] of inDocument) {
      ids.push(id);
      counts.push(count);
    }
    start[d + 1] = ids.length;
  });
  return { words, start, ids: Int32Array.from(ids), counts: Int32Array.from(counts) };
}

/** A fold's vocabulary: column of each word id (−1 if left out) and idf per column, as fitVocabulary does. */
export interface CountedVocabulary {
  /** The word id of each column. */
  ids: Int32Array;
  column: Int32Array;
  idf: Float64Array;
}

/** fitVocabulary on the documents `rows`: min df, the maxFeatures most frequent (ties by word), smooth idf. */
export function countedVocabulary(
  documents: CountedDocuments,
  rows: Int32Array,
  options: TfidfOptions,
): CountedVocabulary {
  const df = new Int32Array(documents.words.length);
  for (const d of rows)
    for (let p = documents.start[d]!; p < documents.start[d + 1]!; p += 1) df[documents.ids[p]!]! += 1;
  const kept: number[] = [];
  df.forEach((count, id) => {
    if (count >= options.minDf) kept.push(id);
  });
  const { words } = documents;
  kept.sort((a, b) => df[b]! - df[a]! || (words[a]! < words[b]! ? -1 : 1));
  const chosen = kept.slice(0, options.maxFeatures);
  if (chosen.length === 0)
    throw new InvalidInput(
      'training.empty_vocabulary',
      `No word occurs in at least ${options.minDf} training documents: add text or lower min_df.`,
    );
  const column = new Int32Array(words.length).fill(-1);
  chosen.forEach((id, j) => (column[id] = j));
  const n = rows.length;
  const idf = Float64Array.from(chosen, (id) => Math.log((1 + n) / (1 + df[id]!)) + 1);
  return { ids: Int32Array.from(chosen), column, idf };
}

/** tfidfMatrix of the documents `rows`: sublinear tf × idf, rows at unit L2 norm, unknown words dropped. */
export function countedTfidf(
  documents: CountedDocuments,
  rows: Int32Array,
  vocabulary: CountedVocabulary,
): SparseMatrix {
  const indptr = new Int32Array(rows.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const entries: Array<[number, number]> = [];
  rows.forEach((d, r) => {
    entries.length = 0;
    for (let p = documents.start[d]!; p < documents.start[d + 1]!; p += 1) {
      const j = vocabulary.column[documents.ids[p]!]!;
      if (j >= 0) entries.push([j, (1 + Math.log(documents.counts[p]!)) * vocabulary.idf[j]!]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    let norm = 0;
    for (const [, weight] of entries) norm += weight * weight;
    norm = Math.sqrt(norm);
    for (const [j, weight] of entries) {
      indices.push(j);
      values.push(norm > 0 ? weight / norm : weight);
    }
    indptr[r + 1] = values.length;
  });
  return {
    rows: rows.length,
    cols: vocabulary.idf.length,
    indptr,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}
