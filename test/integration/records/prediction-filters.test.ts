import assert from 'node:assert/strict';
import { Filter } from 'adminjs';
import { Op, QueryTypes, type Sequelize, type WhereOptions } from 'sequelize';
import type { ConsoleResource } from '../../../admin/adapter/console-resource.js';
import { DataRecord } from '../../../models/index.js';
import { recordResource } from '../../../resources/record.resource.js';
import { selectSql } from '../../../src/db/select-sql.js';
import { predictionWhere, type PredictionCriteria } from '../../../src/records/prediction-where.js';
import { unique, useTestDatabase } from '../../support/database.js';

const SCORED = 30_000;
/** Never-scored records on each side of the scored ones (older and newer). */
const NEVER_SCORED = 60_000;
/** 30 numeric features per record, as tabular records carry: wide rows make Postgres prefer walking records to probing them. */
const FEATURES = `(SELECT jsonb_object_agg('feature_' || k, round((g * k % 997)::numeric / 97, 6)) FROM generate_series(1, 30) k)`;

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan read from `records` and `record_predictions`, kept or filtered out, over every scan and loop. */
function rowsReadIn(node: PlanNode): number {
  const read =
    (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
  const own = ['records', 'record_predictions'].includes(node['Relation Name'] ?? '')
    ? read * (node['Actual Loops'] ?? 1)
    : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsReadIn(child), 0);
}

describe('the record list filtered by prediction (real Postgres)', () => {
  let sequelize: Sequelize;
  let datasetId: number;
  let olderVersionId: number;
  let newerVersionId: number;

  before(async function () {
    this.timeout(120_000);
    sequelize = await useTestDatabase();
    const one = async <T extends object>(sql: string, replacements: Record<string, unknown>) =>
      (await sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT }))[0]!;
    datasetId = (
      await one<{ id: number }>(
        `INSERT INTO datasets (name, task, labels) VALUES (:name, 'text-classification', '{spam,ham}') RETURNING id`,
        { name: unique('pf') },
      )
    ).id;
    const modelId = (
      await one<{ id: number }>(
        `INSERT INTO models (name, dataset_id, task) VALUES (:name, :datasetId, 'text-classification') RETURNING id`,
        { name: unique('pf'), datasetId },
      )
    ).id;
    const version = async (n: number) =>
      (
        await one<{ id: number }>(
          `INSERT INTO model_versions (model_id, version, onnx, sha256, size_bytes, input_schema, output_schema, trainer)
         VALUES (:modelId, :n, '\\x01', :sha, 1, '{}', '{"labels":["spam","ham"]}', 'test') RETURNING id`,
          { modelId, n, sha: String(n).repeat(64).slice(0, 64) },
        )
      ).id;
    [olderVersionId, newerVersionId] = [await version(1), await version(2)];
    // Records in the middle were scored, the first half by an older version ("spam" and "ham"), the
    // second by a newer one ("spam" and "eggs"); many older and newer records never were: a dataset
    // scored on a slice, grown since on both sides.
    const insert = (prefix: string, n: number) =>
      sequelize.query(
        `INSERT INTO records (dataset_id, text, features) SELECT :datasetId, :prefix || g, ${FEATURES} FROM generate_series(1, :n) g`,
        { replacements: { datasetId, prefix, n } },
      );
    await insert('early message ', NEVER_SCORED);
    const firstScored = Number((await one<{ next: string }>('SELECT max(id) + 1 AS next FROM records', {})).next);
    await insert('message ', SCORED);
    await sequelize.query(
      `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities)
       SELECT id, CASE WHEN older THEN :olderVersionId ELSE :newerVersionId END, CASE WHEN id % 2 = 0 THEN 'spam' WHEN older THEN 'ham' ELSE 'eggs' END, 0.9, '{0.9,0.1}'
         FROM (SELECT id, id < :firstScored + :half AS older FROM records WHERE dataset_id = :datasetId AND id >= :firstScored) scored`,
      { replacements: { datasetId, olderVersionId, newerVersionId, firstScored, half: SCORED / 2 } },
    );
    await insert('later message ', NEVER_SCORED);
    await sequelize.query('ANALYZE records; ANALYZE record_predictions');
  });
  after(async function () {
    this.timeout(60_000);
    // 150,000 wide records would slow every later suite that exports or scans the table.
    await sequelize.query('DELETE FROM records WHERE dataset_id = :datasetId', { replacements: { datasetId } });
  });

  /** Rows of records and predictions that running `sql` reads, from EXPLAIN ANALYZE, with the plan to show on failure. */
  const rowsRead = async (sql: string): Promise<{ read: number; plan: string }> => {
    const [explained] = await sequelize.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
      { type: QueryTypes.SELECT },
    );
    const plan = explained!['QUERY PLAN'][0]!.Plan;
    return { read: rowsReadIn(plan), plan: JSON.stringify(plan).slice(0, 3_000) };
  };

  const cases = (): Array<[string, PredictionCriteria, string]> => [
    ['a label only the older version predicted', { predictedLabel: 'ham' }, `p.predicted_label = 'ham'`],
    ['a label only the newer version predicted', { predictedLabel: 'eggs' }, `p.predicted_label = 'eggs'`],
    ['a label both versions predicted', { predictedLabel: 'spam' }, `p.predicted_label = 'spam'`],
    ['scored by the older version', { modelVersionId: olderVersionId }, `p.model_version_id = ${olderVersionId}`],
    ['scored by the newer version', { modelVersionId: newerVersionId }, `p.model_version_id = ${newerVersionId}`],
    [
      'scored by a version with a label',
      { modelVersionId: olderVersionId, predictedLabel: 'spam' },
      `p.model_version_id = ${olderVersionId} AND p.predicted_label = 'spam'`,
    ],
    ['scored at all', { scored: true }, 'TRUE'],
  ];

  for (const direction of ['DESC', 'ASC'] as const) {
    it(`finds the ${direction === 'DESC' ? 'newest' : 'oldest'} matching records without walking the records that were never scored (id ${direction})`, async () => {
      for (const [name, criteria, condition] of cases()) {
        const where: WhereOptions = predictionWhere(criteria, direction === 'DESC' ? 'down' : 'up');
        const page = await DataRecord.findAll({ attributes: ['id'], where, order: [['id', direction]], limit: 20 });
        const expected = await sequelize.query<{ id: string }>(
          `SELECT r.id FROM records r JOIN record_predictions p ON p.record_id = r.id WHERE r.deleted_at IS NULL AND ${condition} ORDER BY r.id ${direction} LIMIT 20`,
          { type: QueryTypes.SELECT },
        );
        assert.equal(expected.length, 20, name);
        assert.deepEqual(
          page.map((r) => Number(r.id)),
          expected.map((r) => Number(r.id)),
          name,
        );

        // Unbounded, Postgres walked up to 60,000 never-scored records, or 15,000 predictions of the other version, first; a page needs a few dozen.
        const { read, plan } = await rowsRead(
          selectSql(DataRecord, { attributes: ['id'], where, order: [['id', direction]], limit: 20 }),
        );
        assert.ok(read <= 500, `${name}: read ${read} rows of records for a page of 20 (plan: ${plan})`);
      }
    });
  }

  it('is bounded the way the console list walks the ids: up when sorted by id ascending, else down', async () => {
    const resource = recordResource().resource as ConsoleResource; // with the records' prediction filters
    for (const direction of ['asc', 'desc'] as const) {
      // The version whose predictions lie furthest along the walk: the other's come first.
      const versionId = direction === 'asc' ? newerVersionId : olderVersionId;
      const statements: string[] = [];
      const options = (sequelize as unknown as { options: { logging: false | ((sql: string) => void) } }).options;
      options.logging = (sql) => statements.push(sql.replace(/^Executing \([^)]*\): /, ''));
      let page;
      try {
        page = await resource.find(new Filter({ scoredByVersionId: String(versionId) }, resource), {
          limit: 20,
          sort: { sortBy: 'id', direction },
        });
      } finally {
        options.logging = false;
      }
      const expected = await DataRecord.findAll({
        attributes: ['id'],
        where: {
          id: {
            [Op.in]: sequelize.literal(
              `(SELECT record_id FROM record_predictions WHERE model_version_id = ${versionId})`,
            ),
          },
        },
        order: [['id', direction]],
        limit: 20,
      });
      assert.deepEqual(
        page.map((record) => Number(record.id())),
        expected.map((record) => Number(record.id)),
        direction,
      );
      assert.equal(statements.length, 1, statements.join('\n'));
      const { read, plan } = await rowsRead(statements[0]!.replace(/;$/, ''));
      assert.ok(read <= 500, `${direction}: read ${read} rows of records for a page of 20 (plan: ${plan})`);
    }
  });

  it('finds nothing, quickly, for a prediction no record has', async () => {
    const where: WhereOptions = { [Op.and]: [{ datasetId }, predictionWhere({ predictedLabel: 'no such label' })] };
    assert.equal(
      (await DataRecord.findAll({ attributes: ['id'], where, order: [['id', 'DESC']], limit: 20 })).length,
      0,
    );
    const { read, plan } = await rowsRead(
      selectSql(DataRecord, { attributes: ['id'], where, order: [['id', 'DESC']], limit: 20 }),
    );
    assert.ok(read <= 500, `read ${read} rows of records (plan: ${plan})`);
  });
});
