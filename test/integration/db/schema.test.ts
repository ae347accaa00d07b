import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { appendAuditEvent } from '../../../src/audit/append-audit-event.js';
import { pendingMigrations } from '../../../src/db/migrate.js';
import { unique, useTestDatabase } from '../../support/database.js';

describe('schema (migrations on real Postgres)', () => {
  let sequelize: Sequelize;
  before(async () => {
    sequelize = await useTestDatabase();
  });

  const tables = async () =>
    (await sequelize.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`, { type: QueryTypes.SELECT })).map((r) => r.name);

  it('creates every table of the design, with no migration left pending', async () => {
    const names = await tables();
    for (const table of ['users', 'api_keys', 'datasets', 'records', 'models', 'model_versions', 'model_aliases', 'jobs', 'audit_events', 'inference_stats', 'session', 'settings', 'record_predictions', 'SequelizeMeta']) {
      assert.ok(names.includes(table), `missing table ${table}`);
    }
    assert.deepEqual(await pendingMigrations(sequelize), []);
  });

  it('indexes records for the console\'s filters and a trigram index for text search', async () => {
    const indexes = (await sequelize.query<{ indexdef: string; indexname: string }>(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records'`, { type: QueryTypes.SELECT }));
    const defs = indexes.map((i) => i.indexdef).join('\n');
    for (const column of ['label', 'split', 'dataset_id', 'created_at']) assert.match(defs, new RegExp(`\\(${column}[,)]`), column);
    // Predictions live beside records (record_predictions), indexed for the list's prediction filters.
    const predictionIndexes = (await sequelize.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'record_predictions'`, { type: QueryTypes.SELECT })).map((i) => i.indexdef).join('\n');
    for (const column of ['record_id', 'predicted_label', 'model_version_id']) assert.match(predictionIndexes, new RegExp(`\\(${column}[,)]`), column);
    assert.match(defs, /gin \(text gin_trgm_ops\)/);
    const plan = await sequelize.transaction(async (transaction) => {
      await sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
      const rows = await sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM records WHERE text ILIKE '%viagra%'`, { type: QueryTypes.SELECT, transaction });
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /records_text_trgm_idx/);
  });

  it('refuses a record with neither text nor features, with a named constraint', async () => {
    const [dataset] = await sequelize.query<{ id: number }>(`INSERT INTO datasets (name, task) VALUES (:name, 'text-classification') RETURNING id`, { replacements: { name: unique('ds') }, type: QueryTypes.SELECT });
    await assert.rejects(
      sequelize.query(`INSERT INTO records (dataset_id) VALUES (:id)`, { replacements: { id: dataset!.id } }),
      /records_has_input/,
    );
  });

  it('keeps model versions immutable and aliases pointing inside their own model', async () => {
    const [dataset] = await sequelize.query<{ id: number }>(`INSERT INTO datasets (name, task) VALUES (:name, 'text-classification') RETURNING id`, { replacements: { name: unique('ds') }, type: QueryTypes.SELECT });
    const model = async () =>
      (await sequelize.query<{ id: number }>(`INSERT INTO models (name, dataset_id, task) VALUES (:name, :ds, 'text-classification') RETURNING id`, { replacements: { name: unique('m'), ds: dataset!.id }, type: QueryTypes.SELECT }))[0]!.id;
    const [a, b] = [await model(), await model()];
    const [version] = await sequelize.query<{ id: number }>(
      `INSERT INTO model_versions (model_id, version, onnx, sha256, size_bytes, input_schema, output_schema, trainer)
       VALUES (:model, 1, '\\x01', :sha, 1, '{}', '{}', 'test') RETURNING id`,
      { replacements: { model: a, sha: 'a'.repeat(64) }, type: QueryTypes.SELECT },
    );
    await assert.rejects(sequelize.query(`UPDATE model_versions SET trainer = 'x' WHERE id = :id`, { replacements: { id: version!.id } }), /immutable/);
    await assert.rejects(sequelize.query(`DELETE FROM model_versions WHERE id = :id`, { replacements: { id: version!.id } }), /immutable/);
    await assert.rejects(
      sequelize.query(`INSERT INTO model_aliases (model_id, alias, version_id) VALUES (:b, 'production', :v)`, { replacements: { b, v: version!.id } }),
      /foreign key/,
    );
    await sequelize.query(`INSERT INTO model_aliases (model_id, alias, version_id) VALUES (:a, 'production', :v)`, { replacements: { a, v: version!.id } });
  });

  it('makes the audit log append-only in the database', async () => {
    await sequelize.transaction((transaction) =>
      appendAuditEvent({ type: 'system' }, { action: 'tests.append_only', resource: 'audit', outcome: 'success' }, transaction),
    );
    await assert.rejects(sequelize.query(`UPDATE audit_events SET reason = 'x'`), /append-only/);
    await assert.rejects(sequelize.query(`DELETE FROM audit_events`), /append-only/);
    await assert.rejects(sequelize.query(`TRUNCATE audit_events`), /append-only/);
  });
});
