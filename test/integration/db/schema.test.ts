import assert from 'node:assert/strict';
import os from 'node:os';
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
    (
      await sequelize.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`, {
        type: QueryTypes.SELECT,
      })
    ).map((r) => r.name);

  it('creates every table of the design, with no migration left pending', async () => {
    const names = await tables();
    for (const table of [
      'users',
      'api_keys',
      'datasets',
      'records',
      'models',
      'model_versions',
      'model_aliases',
      'jobs',
      'audit_events',
      'inference_stats',
      'session',
      'settings',
      'record_predictions',
      'SequelizeMeta',
    ]) {
      assert.ok(names.includes(table), `missing table ${table}`);
    }
    assert.deepEqual(await pendingMigrations(sequelize), []);
  });

  it("indexes records for the console's filters and a trigram index for text search", async () => {
    const indexes = await sequelize.query<{ indexdef: string; indexname: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records'`,
      { type: QueryTypes.SELECT },
    );
    const defs = indexes.map((i) => i.indexdef).join('\n');
    for (const column of ['label', 'split', 'dataset_id', 'created_at'])
      assert.match(defs, new RegExp(`\\(${column}[,)]`), column);
    // Predictions live beside records (record_predictions), indexed for the list's prediction filters.
    const predictionIndexes = (
      await sequelize.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'record_predictions'`,
        { type: QueryTypes.SELECT },
      )
    )
      .map((i) => i.indexdef)
      .join('\n');
    for (const column of ['record_id', 'model_version_id'])
      assert.match(predictionIndexes, new RegExp(`\\(${column}[,)]`), column);
    // One index serves the prediction filters: a version's predictions, a label alone (Postgres 18 skip
    // scan), and the newest record of either (the list's bound, src/records/prediction-where.ts).
    assert.match(predictionIndexes, /\(model_version_id, predicted_label, record_id\)/);
    const labelPlan = await sequelize.transaction(async (transaction) => {
      await sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
      const rows = await sequelize.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT record_id FROM record_predictions WHERE predicted_label = 'spam'`,
        { type: QueryTypes.SELECT, transaction },
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(labelPlan, /record_predictions_version_label_idx/);
    assert.match(defs, /gin \(text gin_trgm_ops\)/);
    const plan = await sequelize.transaction(async (transaction) => {
      await sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
      const rows = await sequelize.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM records WHERE text ILIKE '%viagra%'`,
        { type: QueryTypes.SELECT, transaction },
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /records_text_trgm_idx/);
  });

  it('refuses a record with neither text nor features, with a named constraint', async () => {
    const [dataset] = await sequelize.query<{ id: number }>(
      `INSERT INTO datasets (name, task) VALUES (:name, 'text-classification') RETURNING id`,
      { replacements: { name: unique('ds') }, type: QueryTypes.SELECT },
    );
    await assert.rejects(
      sequelize.query(`INSERT INTO records (dataset_id) VALUES (:id)`, { replacements: { id: dataset!.id } }),
      /records_has_input/,
    );
  });

  it('runs the embedded Postgres with buffers for a million records and no checkpoint midway through a million-row load', async function () {
    if (process.env.TEST_DATABASE_URL) this.skip(); // a server you provide keeps its own settings
    const setting = async (name: string) =>
      (
        await sequelize.query<{ setting: string; unit: string | null }>(
          'SELECT setting, unit FROM pg_settings WHERE name = :name',
          { replacements: { name }, type: QueryTypes.SELECT },
        )
      )[0]!;
    const buffers = await setting('shared_buffers'); // in 8 kB pages
    assert.equal(buffers.unit, '8kB');
    const quarterOfMemoryMb = Math.max(128, Math.min(2_048, Math.floor(os.totalmem() / 4 / 2 ** 20))); // 2 GB on a 24 GiB machine
    assert.equal(Number(buffers.setting) * 8, quarterOfMemoryMb * 1024);
    assert.deepEqual(await setting('max_wal_size'), { setting: '4096', unit: 'MB' });
  });

  it("refuses a record whose label is not one of its dataset's labels, whether inserted alone, in a multi-row statement or by an update", async () => {
    const [{ id: ab }] = (await sequelize.query<{ id: number }>(
      `INSERT INTO datasets (name, task, labels) VALUES (:name, 'text-classification', '{a,b}') RETURNING id`,
      { replacements: { name: unique('ds') }, type: QueryTypes.SELECT },
    )) as [{ id: number }];
    const refused = (error: unknown) => {
      const original = (error as { original?: { code?: string; constraint?: string; message?: string } }).original;
      assert.equal(original?.code, '23514');
      assert.equal(original?.constraint, 'records_label_in_dataset');
      assert.match(original?.message ?? '', /label "zebra" is not one of the dataset's labels \(a, b\)/);
      return true;
    };
    const count = async () =>
      (
        await sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM records WHERE dataset_id = :ab', {
          replacements: { ab },
          type: QueryTypes.SELECT,
        })
      )[0]!.n;
    await assert.rejects(
      sequelize.query(`INSERT INTO records (dataset_id, text, label) VALUES (:ab, 'x', 'zebra')`, {
        replacements: { ab },
      }),
      refused,
    );
    // One wrong label among many refuses the whole statement: nothing of it is written.
    await assert.rejects(
      sequelize.query(
        `INSERT INTO records (dataset_id, text, label) SELECT :ab, 'row ' || g, CASE WHEN g = 500 THEN 'zebra' WHEN g % 2 = 0 THEN 'a' ELSE 'b' END FROM generate_series(1, 1000) g`,
        { replacements: { ab } },
      ),
      refused,
    );
    assert.equal(await count(), 0);
    await sequelize.query(
      `INSERT INTO records (dataset_id, text, label) SELECT :ab, 'row ' || g, CASE WHEN g % 2 = 0 THEN 'a' ELSE NULL END FROM generate_series(1, 10) g`,
      { replacements: { ab } },
    );
    assert.equal(await count(), 10);
    await assert.rejects(
      sequelize.query(`UPDATE records SET label = 'zebra' WHERE dataset_id = :ab`, { replacements: { ab } }),
      refused,
    );
    // A dataset that declares no labels takes any label; moving a record into one that does checks it again.
    const open = (
      await sequelize.query<{ id: number }>(
        `INSERT INTO datasets (name, task) VALUES (:name, 'text-classification') RETURNING id`,
        { replacements: { name: unique('ds') }, type: QueryTypes.SELECT },
      )
    )[0]!.id;
    await sequelize.query(`INSERT INTO records (dataset_id, text, label) VALUES (:open, 'x', 'zebra')`, {
      replacements: { open },
    });
    await assert.rejects(
      sequelize.query(`UPDATE records SET dataset_id = :ab WHERE dataset_id = :open`, { replacements: { ab, open } }),
      refused,
    );
    // Both paths share one rule and one refusal; the rule is plain SQL that Postgres inlines into the insert check's join.
    const sources = await sequelize.query<{ proname: string }>(
      `SELECT proname FROM pg_proc WHERE prosrc LIKE '%is not one of the dataset%' ORDER BY proname`,
      { type: QueryTypes.SELECT },
    );
    assert.deepEqual(
      sources.map((row) => row.proname),
      ['refuse_label_outside_dataset'],
    );
    const plan = await sequelize.query<{ 'QUERY PLAN': string }>(
      'EXPLAIN (VERBOSE) SELECT 1 FROM records r JOIN datasets d ON d.id = r.dataset_id WHERE NOT label_fits_dataset(r.label, d.labels)',
      { type: QueryTypes.SELECT },
    );
    assert.doesNotMatch(plan.map((row) => row['QUERY PLAN']).join('\n'), /label_fits_dataset/);
  });

  it('keeps model versions immutable and aliases pointing inside their own model', async () => {
    const [dataset] = await sequelize.query<{ id: number }>(
      `INSERT INTO datasets (name, task) VALUES (:name, 'text-classification') RETURNING id`,
      { replacements: { name: unique('ds') }, type: QueryTypes.SELECT },
    );
    const model = async () =>
      (
        await sequelize.query<{ id: number }>(
          `INSERT INTO models (name, dataset_id, task) VALUES (:name, :ds, 'text-classification') RETURNING id`,
          { replacements: { name: unique('m'), ds: dataset!.id }, type: QueryTypes.SELECT },
        )
      )[0]!.id;
    const [a, b] = [await model(), await model()];
    const [version] = await sequelize.query<{ id: number }>(
      `INSERT INTO model_versions (model_id, version, onnx, sha256, size_bytes, input_schema, output_schema, trainer)
       VALUES (:model, 1, '\\x01', :sha, 1, '{}', '{}', 'test') RETURNING id`,
      { replacements: { model: a, sha: 'a'.repeat(64) }, type: QueryTypes.SELECT },
    );
    await assert.rejects(
      sequelize.query(`UPDATE model_versions SET trainer = 'x' WHERE id = :id`, { replacements: { id: version!.id } }),
      /immutable/,
    );
    await assert.rejects(
      sequelize.query(`DELETE FROM model_versions WHERE id = :id`, { replacements: { id: version!.id } }),
      /immutable/,
    );
    await assert.rejects(
      sequelize.query(`INSERT INTO model_aliases (model_id, alias, version_id) VALUES (:b, 'production', :v)`, {
        replacements: { b, v: version!.id },
      }),
      /foreign key/,
    );
    await sequelize.query(`INSERT INTO model_aliases (model_id, alias, version_id) VALUES (:a, 'production', :v)`, {
      replacements: { a, v: version!.id },
    });
  });

  it('makes the audit log append-only in the database', async () => {
    await sequelize.transaction((transaction) =>
      appendAuditEvent(
        { type: 'system' },
        { action: 'tests.append_only', resource: 'audit', outcome: 'success' },
        transaction,
      ),
    );
    await assert.rejects(sequelize.query(`UPDATE audit_events SET reason = 'x'`), /append-only/);
    await assert.rejects(sequelize.query(`DELETE FROM audit_events`), /append-only/);
    await assert.rejects(sequelize.query(`TRUNCATE audit_events`), /append-only/);
  });
});
