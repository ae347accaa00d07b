/** What `metrics.training` (stored by train-model.ts) says about a fit that ended without converging. */
export interface UnconvergedFit {
  iterations: number | null;
  maxIterations: number | null;
  gradientNorm: number | null;
}

/**
 * The fit of a version whose `metrics.training.converged` is false; null when it converged or when
 * the version has no `metrics.training` (uploaded ONNX versions, versions trained before it existed).
 */
export function unconvergedFit(metrics: unknown): UnconvergedFit | null {
  const training = (metrics as { training?: Record<string, unknown> } | null)?.training;
  if (training?.converged !== false) return null;
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    iterations: count(training.iterations),
    maxIterations: count(training.maxIterations),
    gradientNorm: count(training.gradientNorm),
  };
}

/** The one sentence a job, the CLI and auto-promotion give about such a fit. */
export function notConvergedWarning(fit: UnconvergedFit): string {
  const cap = fit.maxIterations === null ? '' : ` (${fit.iterations ?? '?'} of ${fit.maxIterations} iterations)`;
  return `The fit stopped at the iteration cap${cap} before converging: its probabilities and metrics may be off; retrain with more iterations or stronger regularisation.`;
}
