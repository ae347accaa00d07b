import { createHash } from 'node:crypto';
import { InvalidInput } from '../../errors/domain-error.js';
import { DEFAULT_SOFTMAX_OPTIONS, type SoftmaxOptions } from '../softmax-regression.js';
import { DEFAULT_TFIDF_OPTIONS, type TfidfOptions } from '../text/tfidf.js';
import { tokenize } from '../text/tokenize.js';
import type { TextExample } from '../text/train-text.js';
import { countDocuments, countedTfidf, countedVocabulary } from './counted-documents.js';
import { C_GRID, CrossValidation, FOLDS, type FoldData } from './cross-validate.js';
import { labelsAt, searchFolds } from './search-data.js';
import type { SearchListener, SearchParams, SearchReport } from './search-report.js';
import { indexLabels } from '../class-labels.js';

export const MIN_DF_GRID: readonly number[] = [1, 2, 3];
export const MAX_FEATURES_GRID: readonly number[] = [5_000, 20_000, 50_000];

/**
 * Chooses C, min df and the vocabulary size of a text model by stratified 5-fold cross-validation on
 * its training rows (each fold's vocabulary and idf from its fitted rows only). The full grid would be
 * 72 candidates; a coordinate search keeps it to at most 18: (1) the C path on the default (or given)
 * vectoriser; (2) every vectoriser at the best C; (3) if another vectoriser won, the C steps either side
 * of the best on it. A setting given by the caller (minDf, maxFeatures) is kept, not searched.
 */
export function searchText(
  examples: readonly TextExample[],
  given: Partial<TfidfOptions>,
  solverOptions: Partial<SoftmaxOptions>,
  onStep?: SearchListener,
): SearchReport {
  const { labels, y } = indexLabels(examples);
  const documents = countDocuments(examples.map((e) => tokenize(e.text)));
  const folds = searchFolds(y, solverOptions.seed ?? DEFAULT_SOFTMAX_OPTIONS.seed);
  // Settings that keep the same words in every fold (e.g. min df 2 or 3 when the 20,000 most frequent
  // words all occur in 3 documents) give the same fits: the identity lets them share the scores.
  const prepare = (vectoriser: TfidfOptions): { folded: FoldData[]; identity: string } => {
    const identity = createHash('sha256');
    const folded = folds.map((rows) => {
      const vocabulary = countedVocabulary(documents, rows.fit, vectoriser);
      identity.update(new Uint8Array(vocabulary.ids.buffer)).update('|');
      return {
        fit: countedTfidf(documents, rows.fit, vocabulary),
        fitY: labelsAt(y, rows.fit),
        heldOut: countedTfidf(documents, rows.heldOut, vocabulary),
        heldOutY: labelsAt(y, rows.heldOut),
      };
    });
    return { folded, identity: identity.digest('hex') };
  };
  const cv = new CrossValidation(labels.length, solverOptions, onStep);

  // (1) the C path on the default vectoriser.
  const start = {
    minDf: given.minDf ?? DEFAULT_TFIDF_OPTIONS.minDf,
    maxFeatures: given.maxFeatures ?? DEFAULT_TFIDF_OPTIONS.maxFeatures,
  };
  const vectorisers = (given.minDf === undefined ? MIN_DF_GRID : [given.minDf]).flatMap((minDf) =>
    (given.maxFeatures === undefined ? MAX_FEATURES_GRID : [given.maxFeatures]).map((maxFeatures) => ({
      minDf,
      maxFeatures,
    })),
  );
  const others = vectorisers.filter((v) => v.minDf !== start.minDf || v.maxFeatures !== start.maxFeatures);
  cv.plan(C_GRID.length + others.length);
  const first = prepare(start);
  cv.runPath(
    first.folded,
    C_GRID.map((C) => ({ C, ...start })),
    first.identity,
  );

  // (2) every other vectoriser at the best C. One whose vocabulary would be empty in a fold is skipped.
  const { C } = cv.best().params;
  for (const vectoriser of others) {
    let prepared: ReturnType<typeof prepare>;
    try {
      prepared = prepare(vectoriser);
    } catch (error) {
      if (error instanceof InvalidInput && error.code === 'training.empty_vocabulary') {
        cv.plan(-1);
        continue;
      }
      throw error;
    }
    cv.runPath(prepared.folded, [{ C, ...vectoriser }], prepared.identity);
  }

  // (3) a new vectoriser won: the C steps either side of the best, on it.
  const best = cv.best().params;
  if (best.minDf !== start.minDf || best.maxFeatures !== start.maxFeatures) {
    const at = C_GRID.indexOf(best.C);
    const steps: SearchParams[] = [C_GRID[at - 1], C_GRID[at + 1]]
      .filter((c): c is number => c !== undefined)
      .map((c) => ({ ...best, C: c }))
      .filter((params) => !cv.has(params));
    if (steps.length > 0) {
      cv.plan(steps.length);
      const prepared = prepare({ minDf: best.minDf!, maxFeatures: best.maxFeatures! });
      cv.runPath(prepared.folded, steps, prepared.identity);
    }
  }
  return { folds: FOLDS, metric: 'logLoss', candidates: cv.candidates, chosen: cv.best().params };
}
