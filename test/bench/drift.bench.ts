// `npm run bench -- --only=drift`: the drift report at a million records. Generates a 1,000,000-row tabular
// dataset (30 numeric features, 80% train), trains a version, writes its predictions for the 200,000
// records outside the train split and 20,000 predict samples (with SQL: scoring speed is not measured
// here), then times the report uncached (CHARTS_CACHE_SECONDS=0): p50 and p95 of 5 calls after 1
// warm-up (which stores the version's reference profile), then 3 first reports (reference profile
// dropped before each), at the default sample cap (exact, no cap, with BENCH_DRIFT_EXACT=1: one call).
// Target: 2 s uncached.
import { MlModel, sequelizeOf } from '../../models/index.js';
import { chartCache } from '../../src/charts/chart-cache.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { trainModel } from '../../src/ml/train-model.js';
import { driftReport } from '../../src/monitoring/drift/drift-report.js';
import { DEFAULT_SAMPLE_CAP } from '../../src/monitoring/drift/drift-statistics.js';
import { benchDatabase } from './bench-database.js';
import { latency } from './latency.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_DRIFT_ROWS ?? 1_000_000);

const db = await benchDatabase(4);
try {
  const system = { type: 'system' } as const;
  const generated = await generateDataset(system, {
    name: 'drift-1m',
    rows: ROWS,
    task: 'tabular-classification',
    seed: 5,
  });
  const model = await MlModel.create({
    name: 'drift-bench',
    datasetId: generated.datasetId,
    task: 'tabular-classification',
    description: null,
    createdById: null,
  });
  const { version } = await trainModel(system, { model: model.name, maxIterations: 5 });
  await sequelizeOf().query(
    `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities, scored_at, margin, entropy)
     SELECT id, :v, CASE WHEN (features->>'f01')::float8 > 0 THEN 'positive' ELSE 'negative' END, 0.7, ARRAY[0.3, 0.7]::real[], now(), 0.4, 0.6
       FROM records WHERE dataset_id = :d AND split <> 'train'`,
    { replacements: { v: version.id, d: generated.datasetId } },
  );
  await sequelizeOf().query(
    `INSERT INTO predict_samples (model_version_id, feature_vector, predicted_label, probabilities, margin)
     SELECT :v, feature_vector, 'positive', ARRAY[0.3, 0.7]::real[], 0.4 FROM records WHERE dataset_id = :d ORDER BY id LIMIT 20000`,
    { replacements: { v: version.id, d: generated.datasetId } },
  );
  // VACUUM runs outside a transaction, one table per statement.
  for (const table of ['records', 'record_predictions', 'predict_samples'])
    await sequelizeOf().query(`VACUUM ANALYZE ${table}`);
  chartCache.configure(0);
  const run = (sampleCap: number) => async () => {
    await driftReport(system, { model: model.name, sampleCap });
  };
  // The warm-up stores the version's reference profile: the 5 timed calls reduce the live side only.
  const sampled = await latency(run(DEFAULT_SAMPLE_CAP), 5, 1);
  // A version's first report also reduces its reference (the stored profile dropped before each call).
  const firstReport = await latency(
    async () => {
      await sequelizeOf().query('DELETE FROM drift_references');
      await run(DEFAULT_SAMPLE_CAP)();
    },
    3,
    0,
  );
  // Exact (no sample) sorts 24 million reference values: minutes, so only on request.
  const exact = process.env.BENCH_DRIFT_EXACT ? await latency(run(10_000_000), 1, 0) : null;
  const report = await driftReport(system, { model: model.name });
  console.log(
    JSON.stringify(
      {
        benchmark: 'drift-report',
        when: new Date().toISOString(),
        machine: machine(),
        records: ROWS,
        features: 30,
        reference: report.reference.records,
        liveRecords: report.live.records,
        predictSamples: report.live.predictSamples,
        sampleCap: DEFAULT_SAMPLE_CAP,
        uncachedSampled: sampled,
        uncachedFirstReport: firstReport,
        uncachedExact: exact,
        drifted: report.drifted,
        targetMs: 2000,
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
}
