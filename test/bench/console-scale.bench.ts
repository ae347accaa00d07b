// `npm run bench` (part): the console at a million records. Generates a 1,000,000-row text dataset
// with COPY (rows/s), then times the console's own API through HTTP (list, label filter, text search,
// show page, the prediction filters: misclassified, score range), p50 and p95 of 40 calls each after
// 5 warm-up calls. Baseline in the same run: the stock
// @adminjs/sequelize adapter's count + find for the same list queries (what stock AdminJS runs per page),
// against ours, at the adapter level.
import { Resource } from '@adminjs/sequelize';
import { Filter } from 'adminjs';
import { QueryTypes } from 'sequelize';
import { DataRecord, sequelizeOf } from '../../models/index.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { saveUser } from '../../src/users/save-user.js';
import type { ConsoleResource } from '../../admin/adapter/console-resource.js';
import { recordResource } from '../../resources/record.resource.js';
import { HttpSession, serveWebApp } from '../support/console-server.js';
import { benchDatabase } from './bench-database.js';
import { latency } from './latency.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);
const CALLS = 40;

const time = (work: () => Promise<unknown>) => latency(work, CALLS, 5);

/**
 * A new model over the dataset with one version, and that version's prediction for every record of
 * the dataset (its own label), written by SQL as a scoring job would write them: this benchmark is
 * about lists, not scoring. Returns the version's id.
 */
async function scoreBySql(datasetId: number, name: string, task: string, labels: string[]): Promise<number> {
  const sequelize = sequelizeOf();
  const one = async (sql: string, replacements: Record<string, unknown>) =>
    (await sequelize.query<{ id: number }>(sql, { replacements, type: QueryTypes.SELECT }))[0]!.id;
  const modelId = await one(
    'INSERT INTO models (name, dataset_id, task) VALUES (:name, :datasetId, :task) RETURNING id',
    { name, datasetId, task },
  );
  const versionId = await one(
    `INSERT INTO model_versions (model_id, version, onnx, sha256, size_bytes, input_schema, output_schema, trainer)
     VALUES (:modelId, 1, '\\x01', md5(:name) || md5(:name), 1, '{}', :outputSchema, 'bench') RETURNING id`,
    { modelId, name, outputSchema: JSON.stringify({ labels }) },
  );
  const probabilities = `{${labels.map((_, i) => (i === 0 ? 0.8 : 0.2 / (labels.length - 1)).toFixed(3)).join(',')}}`;
  await sequelize.query(
    `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities)
     SELECT id, :versionId, label, 0.8, :probabilities FROM records WHERE dataset_id = :datasetId`,
    { replacements: { versionId, probabilities, datasetId } },
  );
  return versionId;
}

const db = await benchDatabase(10);
try {
  const generated = await generateDataset(
    { type: 'system' },
    { name: 'bench-1m', rows: ROWS, task: 'text-classification', seed: 3 },
  );
  await sequelizeOf().query('ANALYZE records');
  const web = await serveWebApp(db);
  const password = 'violet trombone cabinet lantern 2026';
  await saveUser({ type: 'system' }, { email: 'operator@example.com', role: 'content_manager', password });
  const http = new HttpSession(web.baseUrl);
  await http.login('operator@example.com', password);
  const someId =
    (await DataRecord.findOne({ where: { datasetId: generated.datasetId }, order: [['id', 'DESC']], offset: 500_000 }))
      ?.id ?? 1;
  const get = (path: string) => async () => {
    const response = await http.api(path);
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    await response.arrayBuffer();
  };
  const queries = {
    list: { path: '/resources/records/actions/list?page=1', filters: {} },
    labelFilter: { path: '/resources/records/actions/list?filters.label=complaint', filters: { label: 'complaint' } },
    textSearch: { path: '/resources/records/actions/list?filters.text=refund', filters: { text: 'refund' } },
  };
  const consoleApi = {
    list: await time(get(queries.list.path)),
    labelFilter: await time(get(queries.labelFilter.path)),
    textSearch: await time(get(queries.textSearch.path)),
    show: await time(get(`/resources/records/records/${someId}/show`)),
  };
  // Adapter level: what each list page costs in the database, ours against stock.
  const stock = new Resource(DataRecord as never);
  // The records resource's own adapter, with its custom filters (a label matches exactly).
  const ours = recordResource().resource as ConsoleResource;
  const page = async (resource: Resource, filters: Record<string, string>) => {
    const filter = new Filter(filters, resource);
    await resource.count(filter);
    await resource.find(filter, { limit: 10, offset: 0, sort: { sortBy: 'id', direction: 'desc' } });
  };
  const adapter: Record<string, { ours: { p50Ms: number; p95Ms: number }; stock: { p50Ms: number; p95Ms: number } }> =
    {};
  for (const [name, { filters }] of Object.entries(queries)) {
    adapter[name] = { ours: await time(() => page(ours, filters)), stock: await time(() => page(stock, filters)) };
  }
  // The tabular generator (30 features) after the timings, so the lists above stay at ROWS records.
  const tabular = await generateDataset(
    { type: 'system' },
    { name: 'bench-1m-tabular', rows: ROWS, task: 'tabular-classification', seed: 4 },
  );
  // Lists filtered by prediction, over all 2 × ROWS records: the text dataset was scored (one
  // version, every record), the newer tabular one not yet.
  const db1 = sequelizeOf();
  const version = await scoreBySql(generated.datasetId, 'bench-1m-model', 'text-classification', [
    'complaint',
    'question',
    'praise',
  ]);
  for (const table of ['records', 'record_predictions']) await db1.query(`VACUUM ANALYZE ${table}`); // VACUUM runs one table per statement
  const predictionFilters = {
    predictedLabel: await time(get('/resources/records/actions/list?filters.predictedLabel=complaint')),
    scoredByVersion: await time(get(`/resources/records/actions/list?filters.scoredByVersionId=${version}`)),
    scored: await time(get('/resources/records/actions/list?filters.scored=true')),
    records: 2 * ROWS,
    predictions: ROWS,
  };
  // The list's newer filters: every 20th prediction made wrong and unsure (another label, score
  // 0.45), the way a real model's mistakes sit among its confident right answers.
  await db1.query(
    `UPDATE record_predictions SET predicted_label = 'question', score = 0.45
      WHERE model_version_id = :version AND record_id % 20 = 0 AND predicted_label <> 'question'`,
    { replacements: { version } },
  );
  await db1.query('VACUUM ANALYZE record_predictions');
  const newerFilters = {
    misclassified: await time(get('/resources/records/actions/list?filters.misclassified=true')),
    misclassifiedInDataset: await time(
      get(`/resources/records/actions/list?filters.datasetId=${generated.datasetId}&filters.misclassified=true`),
    ),
    misclassifiedOldestFirst: await time(
      get('/resources/records/actions/list?filters.misclassified=true&sortBy=id&direction=asc'),
    ),
    scoreRange: await time(get('/resources/records/actions/list?filters.score~~from=0.4&filters.score~~to=0.6')),
    misclassifiedAndUnsure: await time(
      get('/resources/records/actions/list?filters.misclassified=true&filters.score~~to=0.5&perPage=100'),
    ),
    filterChoices: await time(get(`/resources/records/actions/filterChoices?datasetId=${generated.datasetId}`)),
    note: 'every 20th text prediction wrong with score 0.45 (about 50,000 of 2M records match)',
  };
  // Then a second version scores only the newer (tabular) records. Oldest first, its list must not
  // walk the million older text records it never scored; newest first, the first version's lists
  // (by version, by a label only it predicted) must not walk the newer version's million predictions.
  const tabularVersion = await scoreBySql(tabular.datasetId, 'bench-1m-tabular-model', 'tabular-classification', [
    'negative',
    'positive',
  ]);
  await db1.query('VACUUM ANALYZE record_predictions');
  const afterNewerScored = {
    newerVersionOldestFirst: await time(
      get(`/resources/records/actions/list?filters.scoredByVersionId=${tabularVersion}&sortBy=id&direction=asc`),
    ),
    olderVersionNewestFirst: await time(get(`/resources/records/actions/list?filters.scoredByVersionId=${version}`)),
    olderVersionLabelNewestFirst: await time(get('/resources/records/actions/list?filters.predictedLabel=complaint')),
    note: 'a second version scored the newer 1M (tabular) records; the first scored the older 1M (text) ones',
  };
  await web.stop();
  console.log(
    JSON.stringify(
      {
        benchmark: 'console-at-scale',
        when: new Date().toISOString(),
        machine: machine(),
        records: ROWS,
        generate: {
          text: {
            rows: generated.rows,
            seconds: Number(generated.seconds.toFixed(1)),
            rowsPerSecond: generated.rowsPerSecond,
          },
          tabular: {
            rows: tabular.rows,
            features: 30,
            seconds: Number(tabular.seconds.toFixed(1)),
            rowsPerSecond: tabular.rowsPerSecond,
          },
          targetRowsPerSecond: 100_000,
        },
        consoleApi: { ...consoleApi, targetP50Ms: 30 },
        consoleApiPredictionFilters: {
          ...predictionFilters,
          note: 'all records listed; the text dataset scored, the newer tabular one (the newest records) not',
          afterNewerScored,
        },
        consoleApiNewerFilters: { ...newerFilters, targetP50Ms: 30 },
        adapterCountAndFind: adapter,
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
}
