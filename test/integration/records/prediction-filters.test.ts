import assert from 'node:assert/strict';
import { Op, QueryTypes, type Sequelize, type WhereOptions } from 'sequelize';
import { DataRecord } from '../../../models/index.js';
import { selectSql } from '../../../src/db/select-sql.js';
import { predictionWhere, type PredictionCriteria } from '../../../src/records/prediction-where.js';
import { unique, useTestDatabase } from '../../support/database.js';

const SCORED = 30_000;
const NEVER_SCORED = 60_000;
/** 30 numeric features per record, as tabular records carry: wide rows make Postgres prefer walking records to probing them. */
const FEATURES = `(SELECT jsonb_object_agg('feature_' || k, round((g * k % 997)::numeric / 97, 6)) FROM generate_series(1, 30) k)`;

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan read from `records` (every scan of it, all loops). */
function recordsRowsRead(node: PlanNode): number {
  const own = node['Relation Name'] === 'records' ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + recordsRowsRead(child), 0);
}

describe('the record list filtered by prediction (real Postgres)', () => {
  let sequelize: Sequelize;
  let datasetId: number;
  let versionId: number;
  let otherVersionId: number;

  before(async function () {
    this.timeout(120_000);
    sequelize = await useTestDatabase();
    const one = async <T extends object>(sql: string, replacements: Record<string, unknown>) => (await sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT }))[0]!;
    datasetId = (await one<{ id: number }>(`INSERT INTO datasets (name, task, labels) VALUES (:name, 'text-classification', '{spam,ham}') RETURNING id`, { name: unique('pf') })).id;
    const modelId = (await one<{ id: number }>(`INSERT INTO models (name, dataset_id, task) VALUES (:name, :datasetId, 'text-classification') RETURNING id`, { name: unique('pf'), datasetId })).id;
    const version = async (n: number) =>
      (await one<{ id: number }>(
        `INSERT INTO model_versions (model_id, version, onnx, sha256, size_bytes, input_schema, output_schema, trainer)
         VALUES (:modelId, :n, '\\x01', :sha, 1, '{}', '{"labels":["spam","ham"]}', 'test') RETURNING id`,
        { modelId, n, sha: String(n).repeat(64).slice(0, 64) },
      )).id;
    [versionId, otherVersionId] = [await version(1), await version(2)];
    // The older records were scored (every other one "spam", one in ten by the other version); the
    // many newer ones never were: the shape of a dataset that kept growing after its last scoring.
    await sequelize.query(`INSERT INTO records (dataset_id, text, features) SELECT :datasetId, 'message ' || g, ${FEATURES} FROM generate_series(1, :n) g`, { replacements: { datasetId, n: SCORED } });
    await sequelize.query(
      `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities)
       SELECT id, CASE WHEN id % 10 = 0 THEN :otherVersionId ELSE :versionId END, CASE WHEN id % 2 = 0 THEN 'spam' ELSE 'ham' END, 0.9, '{0.9,0.1}'
         FROM records WHERE dataset_id = :datasetId`,
      { replacements: { datasetId, versionId, otherVersionId } },
    );
    await sequelize.query(`INSERT INTO records (dataset_id, text, features) SELECT :datasetId, 'later message ' || g, ${FEATURES} FROM generate_series(1, :n) g`, { replacements: { datasetId, n: NEVER_SCORED } });
    await sequelize.query('ANALYZE records; ANALYZE record_predictions');
  });

  const cases = (): Array<[string, PredictionCriteria, string]> => [
    ['predicted label', { predictedLabel: 'spam' }, `p.predicted_label = 'spam'`],
    ['scored by version', { modelVersionId: versionId }, `p.model_version_id = ${versionId}`],
    ['scored by version and predicted label', { modelVersionId: otherVersionId, predictedLabel: 'spam' }, `p.model_version_id = ${otherVersionId} AND p.predicted_label = 'spam'`],
    ['scored at all', { scored: true }, 'TRUE'],
  ];

  it('finds the newest matching records without walking the newer records that were never scored', async () => {
    for (const [name, criteria, condition] of cases()) {
      const where: WhereOptions = predictionWhere(criteria);
      const page = await DataRecord.findAll({ attributes: ['id'], where, order: [['id', 'DESC']], limit: 20 });
      const expected = await sequelize.query<{ id: string }>(
        `SELECT r.id FROM records r JOIN record_predictions p ON p.record_id = r.id WHERE r.deleted_at IS NULL AND ${condition} ORDER BY r.id DESC LIMIT 20`,
        { type: QueryTypes.SELECT },
      );
      assert.equal(expected.length, 20, name);
      assert.deepEqual(page.map((r) => Number(r.id)), expected.map((r) => Number(r.id)), name);

      const sql = selectSql(DataRecord, { attributes: ['id'], where, order: [['id', 'DESC']], limit: 20 });
      const [explained] = await sequelize.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, { type: QueryTypes.SELECT });
      const plan = explained!['QUERY PLAN'][0]!.Plan;
      // Unbounded, "scored by version" walked all 60,000 never-scored records first; a page needs a few dozen.
      const read = recordsRowsRead(plan);
      assert.ok(read <= 500, `${name}: read ${read} rows of records for a page of 20 (plan: ${JSON.stringify(plan).slice(0, 1_500)})`);
    }
  });

  it('finds nothing, quickly, for a prediction no record has', async () => {
    const where: WhereOptions = { [Op.and]: [{ datasetId }, predictionWhere({ predictedLabel: 'no such label' })] };
    assert.equal((await DataRecord.findAll({ attributes: ['id'], where, order: [['id', 'DESC']], limit: 20 })).length, 0);
    const sql = selectSql(DataRecord, { attributes: ['id'], where, order: [['id', 'DESC']], limit: 20 });
    const [explained] = await sequelize.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, { type: QueryTypes.SELECT });
    assert.ok(recordsRowsRead(explained!['QUERY PLAN'][0]!.Plan) <= 500);
  });
});
