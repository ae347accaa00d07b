import assert from 'node:assert/strict';
import { recordInference, registry } from '../../../src/monitoring/metrics.js';
import { parseMetrics, sampleValue } from '../../support/prometheus.js';

const read = async (name: string) => parseMetrics(await registry.getSingleMetricAsString(name));

describe('monitoring: recordInference()', () => {
  it('counts predictions per model, version and outcome, and times those that reached the model', async () => {
    const model = 'metrics-unit-model';
    recordInference({ model, version: 3, outcome: 'success', seconds: 0.004 });
    recordInference({ model, version: 3, outcome: 'success', seconds: 0.2 });
    recordInference({ model, version: 3, outcome: 'error', seconds: 0.03 });
    recordInference({ model, version: 3, outcome: 'invalid_input', seconds: 0.0001 });
    recordInference({ model, version: 4, outcome: 'success', seconds: 0.001 });

    const requests = await read('modeldesk_inference_requests_total');
    assert.equal(
      sampleValue(requests, 'modeldesk_inference_requests_total', { model, version: '3', outcome: 'success' }),
      2,
    );
    assert.equal(
      sampleValue(requests, 'modeldesk_inference_requests_total', { model, version: '3', outcome: 'error' }),
      1,
    );
    assert.equal(
      sampleValue(requests, 'modeldesk_inference_requests_total', { model, version: '3', outcome: 'invalid_input' }),
      1,
    );
    assert.equal(
      sampleValue(requests, 'modeldesk_inference_requests_total', { model, version: '4', outcome: 'success' }),
      1,
    );

    const latency = await read('modeldesk_inference_latency_seconds');
    const v3 = { model, version: '3' };
    assert.equal(
      sampleValue(latency, 'modeldesk_inference_latency_seconds_count', v3),
      3,
      'refused input is not timed',
    );
    assert.equal(sampleValue(latency, 'modeldesk_inference_latency_seconds_bucket', { ...v3, le: '0.005' }), 1);
    assert.equal(sampleValue(latency, 'modeldesk_inference_latency_seconds_bucket', { ...v3, le: '0.05' }), 2);
    assert.equal(sampleValue(latency, 'modeldesk_inference_latency_seconds_bucket', { ...v3, le: '+Inf' }), 3);
    assert.ok(Math.abs(sampleValue(latency, 'modeldesk_inference_latency_seconds_sum', v3) - 0.234) < 1e-9);
  });
});
