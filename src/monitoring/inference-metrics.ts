import { Counter, Histogram } from 'prom-client';
import { METRIC_PREFIX, registry } from './registry.js';

/** How a prediction request ended: answered, refused before the model ran (bad input), or failed. */
export type InferenceOutcome = 'success' | 'invalid_input' | 'error';

const requests = new Counter<'model' | 'version' | 'outcome'>({
  name: `${METRIC_PREFIX}inference_requests_total`,
  help: 'Prediction requests, by model name, model version number and outcome (success, invalid_input, error).',
  labelNames: ['model', 'version', 'outcome'],
  registers: [registry],
});

const latency = new Histogram<'model' | 'version'>({
  name: `${METRIC_PREFIX}inference_latency_seconds`,
  help: 'Time to answer a prediction request that reached the model (successes and errors), by model and version.',
  labelNames: ['model', 'version'],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export interface InferenceObservation {
  /** The model's name (a bounded set: models are created by people, not by requests). */
  model: string;
  /** The version number that answered (after resolving an alias). */
  version: number;
  outcome: InferenceOutcome;
  /** Wall time of the request, from parsed input to answer. */
  seconds: number;
}

/**
 * Called once per prediction request by the inference endpoint. Counted in the web process that
 * served it: scrape every web process (see docs/operations.md, Metrics) and sum across them.
 */
export function recordInference({ model, version, outcome, seconds }: InferenceObservation): void {
  const labels = { model, version: String(version) };
  requests.inc({ ...labels, outcome });
  if (outcome !== 'invalid_input') latency.observe(labels, Math.max(0, seconds));
}
