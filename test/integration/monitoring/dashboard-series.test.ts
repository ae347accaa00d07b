import assert from 'node:assert/strict';
import { Job, sequelizeOf } from '../../../models/index.js';
import { inferenceSeries, jobOutcomes, requestSeries } from '../../../src/monitoring/dashboard-series.js';
import { emptyHistogram, observe } from '../../../src/monitoring/latency-histogram.js';
import { RequestStats } from '../../../src/monitoring/request-stats.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { createTestUser } from '../../support/console-server.js';

describe('dashboard series from Postgres (real Postgres)', () => {
  before(useTestDatabase);

  it('adds up request counts flushed by several web processes, minute by minute', async () => {
    const now = new Date();
    const first = new RequestStats(sequelizeOf());
    const second = new RequestStats(sequelizeOf());
    const before = (await requestSeries(sequelizeOf())).reduce((a, p) => a + p.requests, 0);
    for (let i = 0; i < 30; i += 1) first.record('console', i < 3 ? 500 : 200, 12, now);
    for (let i = 0; i < 20; i += 1) second.record('api', 200, 3, now);
    await first.flush();
    await second.flush();
    second.record('api', 503, 40, now);
    await second.stop();
    const series = await requestSeries(sequelizeOf());
    assert.equal(series.reduce((a, p) => a + p.requests, 0) - before, 51);
    assert.ok(series.some((p) => p.errors >= 4));
    const [row] = await sequelizeOf().query<{ buckets: number[] }>(
      `SELECT latency_buckets AS buckets FROM request_stats WHERE area = 'api' AND bucket = date_trunc('minute', now())`,
      { type: 'SELECT' as never },
    );
    assert.equal(
      row?.buckets.reduce((a, b) => a + b, 0),
      21,
      'histograms add element-wise across flushes',
    );
  });

  it('reports predictions per hour and p50/p99 latency per model version from inference_stats', async () => {
    const model = await createPenguinModel('dash');
    const version = (await trainModel({ type: 'system' }, { model: model.name, maxIterations: 3 })).version;
    const histogram = emptyHistogram();
    for (let i = 0; i < 98; i += 1) observe(histogram, 4);
    observe(histogram, 900);
    observe(histogram, 900);
    await sequelizeOf().query(
      `INSERT INTO inference_stats (bucket, model_version_id, count, errors, latency_sum_ms, latency_buckets) VALUES (date_trunc('minute', now()), :id, 100, 2, 2192, :buckets::int[])`,
      { replacements: { id: version.id, buckets: `{${histogram.join(',')}}` } },
    );
    const { points, latency } = await inferenceSeries(sequelizeOf());
    const mine = latency.find((v) => v.version === `${model.name} v1`)!;
    assert.deepEqual([mine.predictions, mine.errors], [100, 2]);
    assert.ok(mine.p50Ms! > 2 && mine.p50Ms! <= 5, String(mine.p50Ms));
    assert.ok(mine.p99Ms! > 500 && mine.p99Ms! <= 1_000, String(mine.p99Ms));
    assert.equal(
      points.filter((p) => p.version === `${model.name} v1`).reduce((a, p) => a + p.predictions, 0),
      100,
    );
  });

  it('counts finished jobs per day and outcome, for everyone or for one creator', async () => {
    const user = await createTestUser('data_scientist');
    const done = { kind: 'train' as const, params: {}, startedAt: new Date(), finishedAt: new Date() };
    await Job.bulkCreate([
      { ...done, status: 'succeeded', createdById: user.id },
      { ...done, status: 'failed', createdById: user.id },
      { ...done, status: 'succeeded', createdById: null },
    ]);
    const own = await jobOutcomes(sequelizeOf(), 14, user.id);
    assert.deepEqual(own.map((o) => [o.status, o.jobs]).sort(), [
      ['failed', 1],
      ['succeeded', 1],
    ]);
    const all = await jobOutcomes(sequelizeOf(), 14);
    assert.ok(all.find((o) => o.status === 'succeeded')!.jobs >= 2);
  });
});
