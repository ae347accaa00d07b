import assert from 'node:assert/strict';
import { Filter } from 'adminjs';
import { Op, QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, Dataset, sequelizeOf } from '../../../models/index.js';
import { ConsoleResource } from '../../../admin/adapter/console-resource.js';
import { FILTERED_COUNT_LIMIT } from '../../../admin/adapter/list-count.js';
import { generateDataset } from '../../../src/datasets/generate-dataset.js';
import { Conflict, Forbidden } from '../../../src/errors/domain-error.js';
import { unique, useTestDatabase } from '../../support/database.js';

describe('generate: large synthetic datasets with COPY, and list counts on them (real Postgres)', () => {
  before(useTestDatabase);

  it('creates a text dataset: every row labelled from its label set, split about 80/20, audited', async () => {
    const name = unique('gen-text');
    const result = await generateDataset(
      { type: 'cli', osUser: 'ops' },
      { name, rows: 12_000, task: 'text-classification', seed: 5 },
    );
    const dataset = (await Dataset.findByPk(result.datasetId))!;
    assert.deepEqual(dataset.labels, ['complaint', 'praise', 'question']);
    assert.equal(await DataRecord.count({ where: { datasetId: dataset.id } }), 12_000);
    const train = await DataRecord.count({ where: { datasetId: dataset.id, split: 'train' } });
    assert.ok(train > 9_000 && train < 10_200, `train share ${train}`);
    assert.equal(await DataRecord.count({ where: { datasetId: dataset.id, text: { [Op.is]: null } } }), 0);
    assert.ok(
      await AuditEvent.findOne({
        where: { action: 'datasets.generate', actorLabel: 'cli:ops', recordIds: [String(dataset.id)] },
      }),
    );
  });

  it('creates a tabular dataset with 30 features, deterministic for a seed', async () => {
    const a = await generateDataset({ type: 'system' }, { name: unique('gen-tab'), rows: 300, seed: 9 });
    const b = await generateDataset({ type: 'system' }, { name: unique('gen-tab'), rows: 300, seed: 9 });
    const first = async (datasetId: number) =>
      (await DataRecord.findOne({ where: { datasetId }, order: [['id', 'ASC']] }))!;
    const [x, y] = [await first(a.datasetId), await first(b.datasetId)];
    assert.equal(Object.keys(x.features!).length, 30);
    assert.deepEqual([x.features, x.label, x.split], [y.features, y.label, y.split]);
  });

  it("writes each tabular row's vector exactly as the database computes it from the row's JSON, and leaves no GIN pending list", async () => {
    const result = await generateDataset({ type: 'system' }, { name: unique('gen-vec'), rows: 2_000, seed: 3 });
    const [row] = await sequelizeOf().query<{ rows: number; vectors: number; differing: number }>(
      `SELECT count(*)::int AS rows, count(r.feature_vector)::int AS vectors,
              count(*) FILTER (WHERE r.feature_vector IS DISTINCT FROM records_feature_vector(r.features, d.feature_schema))::int AS differing
         FROM records r JOIN datasets d ON d.id = r.dataset_id WHERE r.dataset_id = :id`,
      { replacements: { id: result.datasetId }, type: QueryTypes.SELECT },
    );
    assert.deepEqual(row, { rows: 2_000, vectors: 2_000, differing: 0 });
    const [pending] = await sequelizeOf().query<{ pages: string }>(
      'SELECT records_clean_gin_pending_lists() AS pages',
      { type: QueryTypes.SELECT },
    );
    assert.equal(Number(pending!.pages), 0, 'generate merged what it added to the pending lists');
  });

  it('refuses a taken name and a role that may not create datasets', async () => {
    const name = unique('gen-dup');
    await generateDataset({ type: 'system' }, { name, rows: 10 });
    await assert.rejects(generateDataset({ type: 'system' }, { name, rows: 10 }), Conflict);
    await assert.rejects(
      generateDataset(
        { type: 'user', id: 1, email: 'c@example.com', role: 'content_manager' },
        { name: unique('gen-cm'), rows: 10 },
      ),
      Forbidden,
    );
  });

  it("counts a narrow filter exactly and a broad one from the planner's estimate", async () => {
    const result = await generateDataset(
      { type: 'system' },
      { name: unique('gen-count'), rows: 30_000, task: 'text-classification', seed: 2 },
    );
    await sequelizeOf().query('ANALYZE records');
    const resource = new ConsoleResource(DataRecord);
    const narrow = new Filter({ datasetId: String(result.datasetId), split: 'test', label: 'praise' }, resource);
    const exact = await DataRecord.count({ where: { datasetId: result.datasetId, split: 'test', label: 'praise' } });
    assert.ok(exact < FILTERED_COUNT_LIMIT);
    assert.equal(await resource.count(narrow), exact);
    const broad = await resource.count(new Filter({ datasetId: String(result.datasetId) }, resource));
    assert.ok(broad >= FILTERED_COUNT_LIMIT && Math.abs(broad - 30_000) < 30_000 * 0.5, `estimate ${broad}`);
  });
});
