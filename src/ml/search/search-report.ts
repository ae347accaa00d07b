/**
 * What a hyperparameter search stores with the version (`hyperparameters.search`): every candidate
 * with its held-out log loss per fold, and the one chosen. Plain JSON, read back by the console.
 */
export interface SearchParams {
  /** Inverse L2 strength as scikit-learn states it; the fit's l2 is 1 / (rows · C). */
  C: number;
  /** Text only: the vectoriser settings this candidate used. */
  minDf?: number;
  maxFeatures?: number;
}

export interface SearchCandidate {
  params: SearchParams;
  meanLogLoss: number;
  /** Population standard deviation over the folds (as scikit-learn's std_test_score). */
  stdLogLoss: number;
  foldLogLoss: number[];
}

export interface SearchReport {
  folds: number;
  metric: 'logLoss';
  candidates: SearchCandidate[];
  chosen: SearchParams;
}

/** Where a search is: told before each fold of each candidate is fitted (1-based). */
export interface SearchStep {
  candidate: number;
  /** Candidates planned so far (a text search may add the L2 steps next to a new vocabulary). */
  candidates: number;
  fold: number;
  folds: number;
}

export type SearchListener = (step: SearchStep) => void;

/** The job's phase text for a step, e.g. "searching: candidate 3 of 12, fold 2 of 5". */
export function describeSearchStep(step: SearchStep): string {
  return `searching: candidate ${step.candidate} of ${step.candidates}, fold ${step.fold} of ${step.folds}`;
}

export const sameParams = (a: SearchParams, b: SearchParams) =>
  a.C === b.C && a.minDf === b.minDf && a.maxFeatures === b.maxFeatures;

/** "C = 3, min df = 2, max vocabulary = 20,000" (the console's and the CLI's words for a candidate). */
export const describeParams = (params: SearchParams) =>
  [
    `C = ${params.C}`,
    params.minDf === undefined ? null : `min df = ${params.minDf}`,
    params.maxFeatures === undefined ? null : `max vocabulary = ${params.maxFeatures.toLocaleString('en')}`,
  ]
    .filter(Boolean)
    .join(', ');
