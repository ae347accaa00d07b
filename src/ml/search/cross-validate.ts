import {
  DEFAULT_SOFTMAX_OPTIONS,
  predictProbabilities,
  trainSoftmax,
  type SoftmaxModel,
  type SoftmaxOptions,
} from '../softmax-regression.js';
import type { DesignMatrix } from '../sparse-matrix.js';
import { sameParams, type SearchCandidate, type SearchListener, type SearchParams } from './search-report.js';

/** Folds of the cross-validation (stratified, on the train split only). */
export const FOLDS = 5;
/** Inverse L2 strengths tried, strongest regularisation first (the warm-start path runs this way). */
// Up to 1000: scikit-learn's own 5-fold CV picks C = 1000 on the demo spam emails (300 was the old top).
export const C_GRID: readonly number[] = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000];
/**
 * Mean held-out log losses this close to the best count as a tie: the simpler candidate wins (smaller C,
 * then larger min df, then smaller vocabulary). Fold-to-fold noise is far larger than this.
 */
export const TIE = 1e-4;

/** The fit's l2 for an inverse strength C on `rows` rows: objective = mean log loss + (l2 / 2)·‖W‖². */
export const l2ForC = (C: number, rows: number) => 1 / (rows * C);

/** One fold's matrices, prepared from its fitted rows only (vocabulary, standardiser): nothing leaks. */
export interface FoldData {
  fit: DesignMatrix;
  fitY: Int32Array;
  heldOut: DesignMatrix;
  heldOutY: Int32Array;
}

/**
 * Runs candidates fold by fold and keeps every score. Candidates sharing prepared fold data (the same
 * vectoriser) run as one path in increasing C, each fold's fit warm-started from the previous C's
 * model when the solver takes `initial` (a neighbouring C's optimum is close, so it converges in a few
 * steps); fits use the caller's solver options with only l2 (and the start) changed.
 */
export class CrossValidation {
  readonly candidates: SearchCandidate[] = [];
  private planned = 0;
  private started = 0;
  /** Fold log losses by (prepared folds' identity, C): other settings that give the same folds are not refitted. */
  private readonly scored = new Map<string, number[]>();

  constructor(
    private readonly classes: number,
    private readonly solverOptions: Partial<SoftmaxOptions>,
    private readonly onStep: SearchListener = () => undefined,
  ) {}

  /** Announces candidates to come, so progress can say "candidate 3 of 12". */
  plan(count: number): void {
    this.planned += count;
  }

  has(params: SearchParams): boolean {
    return this.candidates.some((c) => sameParams(c.params, params));
  }

  /**
   * Scores `params` (all on the same prepared folds) in increasing C. `identity` names the folds' content
   * (e.g. the fold vocabularies): a candidate whose folds and C were scored already takes those scores.
   */
  runPath(folds: readonly FoldData[], params: readonly SearchParams[], identity?: string): void {
    const warm: Array<SoftmaxModel | undefined> = folds.map(() => undefined);
    for (const candidate of [...params].sort((a, b) => a.C - b.C)) {
      this.started += 1;
      this.planned = Math.max(this.planned, this.started);
      const key = identity === undefined ? undefined : `${identity} C=${candidate.C}`;
      const known = key === undefined ? undefined : this.scored.get(key);
      const foldLogLoss =
        known?.slice() ??
        folds.map((fold, f) => {
          this.onStep({ candidate: this.started, candidates: this.planned, fold: f + 1, folds: folds.length });
          const settings = {
            ...DEFAULT_SOFTMAX_OPTIONS,
            ...this.solverOptions,
            l2: l2ForC(candidate.C, fold.fit.rows),
            ...(warm[f] ? { initial: warm[f] } : {}),
          };
          const { model } = trainSoftmax(fold.fit, fold.fitY, this.classes, settings);
          warm[f] = model;
          return meanLogLoss(predictProbabilities(model, fold.heldOut), fold.heldOutY, this.classes);
        });
      if (key !== undefined) this.scored.set(key, foldLogLoss);
      const mean = foldLogLoss.reduce((s, v) => s + v, 0) / foldLogLoss.length;
      const std = Math.sqrt(foldLogLoss.reduce((s, v) => s + (v - mean) ** 2, 0) / foldLogLoss.length);
      this.candidates.push({ params: candidate, meanLogLoss: mean, stdLogLoss: std, foldLogLoss });
    }
  }

  best(): SearchCandidate {
    return chooseCandidate(this.candidates);
  }
}

/** The lowest mean held-out log loss; within TIE of it, the simplest (see TIE). */
export function chooseCandidate(candidates: readonly SearchCandidate[]): SearchCandidate {
  const lowest = Math.min(...candidates.map((c) => c.meanLogLoss));
  return candidates
    .filter((c) => c.meanLogLoss <= lowest + TIE)
    .sort(
      (a, b) =>
        a.params.C - b.params.C ||
        (b.params.minDf ?? 0) - (a.params.minDf ?? 0) ||
        (a.params.maxFeatures ?? 0) - (b.params.maxFeatures ?? 0),
    )[0]!;
}

/** Mean −ln p(true class), p clipped at 1e-15 as scikit-learn's log_loss does. */
export function meanLogLoss(probabilities: Float64Array, y: Int32Array, classes: number): number {
  let sum = 0;
  for (let i = 0; i < y.length; i += 1) sum -= Math.log(Math.max(probabilities[i * classes + y[i]!]!, 1e-15));
  return sum / y.length;
}
