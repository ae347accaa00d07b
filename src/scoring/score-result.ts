import type { ScoringModel } from './open-scoring-model.js';
import type { ScoreCheckpoint } from './score-input.js';

/** What a finished scoring job reports (its Job.result). */
export interface ScoreResult {
  model: string;
  version: number;
  modelVersionId: number;
  scored: number;
  invalid: ScoreCheckpoint['invalid'];
  labelDistribution: Record<string, number>;
  seconds: number;
  rowsPerSecond: number;
  timingsMs: ScoreCheckpoint['timings'];
  peakRssMb: number;
  attempts: number;
}

/** The job's result from its final progress: counts across all attempts, times rounded. */
export function scoreResult(
  model: Pick<ScoringModel, 'name' | 'version' | 'versionId' | 'labels'>,
  progress: ScoreCheckpoint,
): ScoreResult {
  const seconds = progress.timings.wallMs / 1000;
  return {
    model: model.name,
    version: model.version,
    modelVersionId: model.versionId,
    scored: progress.scored,
    invalid: progress.invalid,
    labelDistribution: Object.fromEntries(model.labels.map((label, i) => [label, progress.labelCounts[i] ?? 0])),
    seconds: Number(seconds.toFixed(3)),
    rowsPerSecond: Math.round(progress.scored / Math.max(seconds, 1e-3)),
    timingsMs: Object.fromEntries(
      Object.entries(progress.timings).map(([k, v]) => [k, Math.round(v)]),
    ) as ScoreCheckpoint['timings'],
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    attempts: progress.attempts,
  };
}
