// Everything `GET /metrics` exposes, registered in the one registry by importing its module.
import './db-pool-metrics.js';
import './job-metrics.js';

export { httpMetrics, observeHttpResponse } from './http-metrics.js';
export { recordInference, type InferenceObservation, type InferenceOutcome } from './inference-metrics.js';
export { registry } from './registry.js';
