import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { DataRecord, Dataset, sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { applyBulkEdit, parseBulkEdit } from '../../../src/records/bulk-edit.js';
import { storeImportFile, MEGABYTE } from '../../../src/records/import/import-file.js';
import { runImport } from '../../../src/records/import/run-import.js';
import { createRecord, updateRecord } from '../../../src/records/save-record.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { createTestUser } from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';

const SCHEMA = [
  { name: 'width', type: 'number' as const },
  { name: 'height', type: 'number' as const },
  { name: 'a', type: 'number' as const },
];

/** The stored vector of a record as numbers (null when there is none). */
async function storedVector(id: number): Promise<number[] | null> {
  const [row] = await sequelizeOf().query<{ v: Buffer | null }>(
    'SELECT feature_vector AS v FROM records WHERE id = :id',
    { replacements: { id }, type: QueryTypes.SELECT },
  );
  if (!row!.v) return null;
  return Array.from({ length: row!.v.length / 4 }, (_, j) => row!.v!.readFloatBE(4 * j));
}

/** What a model reads for these features in schema order: each JSON number as a float32. */
const float32s = (features: Record<string, number>, schema = SCHEMA) =>
  schema.map((spec) => Math.fround(features[spec.name]!));

describe('records.feature_vector: the features as float32s in schema order, kept right for every writer (real Postgres)', () => {
  let manager: Actor;
  let datasetId: number;
  let ids: number[];

  before(async () => {
    await useTestDatabase();
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    const created = await insertDataset(
      { type: 'system' },
      {
        name: unique('vectors'),
        task: 'tabular-classification',
        labels: ['a', 'b'],
        featureSchema: SCHEMA,
        description: null,
        source: null,
        license: null,
      },
      [
        {
          text: null,
          features: { width: 1.5, height: -2, a: 0.1 },
          label: 'a',
          split: 'train',
          tags: [],
          source: 'seed',
        },
        {
          text: null,
          features: { width: 3, height: 4, a: 1e-7 },
          label: 'b',
          split: 'train',
          tags: [],
          source: 'seed',
        },
      ],
    );
    datasetId = created!.id;
    ids = (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']] })).map((r) => Number(r.id));
  });

  it('is written for seeded rows, in schema order (not the JSON key order)', async () => {
    assert.deepEqual(await storedVector(ids[0]!), float32s({ width: 1.5, height: -2, a: 0.1 }));
    assert.deepEqual(await storedVector(ids[1]!), float32s({ width: 3, height: 4, a: 1e-7 }));
  });

  it('follows a create and an edit through the service the console and the API call', async () => {
    const record = await createRecord(manager, {
      datasetId,
      features: { width: 0.3, height: 7, a: 123456.789 },
      label: 'a',
    });
    assert.deepEqual(await storedVector(record.id), float32s({ width: 0.3, height: 7, a: 123456.789 }));
    await updateRecord(manager, record.id, { features: { width: 9, height: 8, a: 7 } });
    assert.deepEqual(await storedVector(record.id), float32s({ width: 9, height: 8, a: 7 }));
    const bulk = parseBulkEdit(manager, { selection: { ids: [record.id] }, changes: { label: 'b' } });
    await applyBulkEdit(manager, bulk.selection, bulk.changes);
    assert.deepEqual(
      await storedVector(record.id),
      float32s({ width: 9, height: 8, a: 7 }),
      'an edit of other fields leaves it',
    );
  });

  it('is NULL when a feature is not a JSON number (scoring then reads the JSON and says what is wrong)', async () => {
    const record = await createRecord(manager, {
      datasetId,
      features: { width: '2.5', height: 1, a: null },
      label: 'a',
    });
    assert.equal(await storedVector(record.id), null);
    await updateRecord(manager, record.id, { features: { width: 2.5, height: 1, a: 1e-40 } });
    assert.equal(await storedVector(record.id), null, 'too small for a float32: read from JSON');
    await updateRecord(manager, record.id, { features: { width: 2.5, height: 1, a: 0 } });
    assert.deepEqual(await storedVector(record.id), [2.5, 1, 0]);
  });

  it('follows a CSV import: inserted and updated rows', async () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-vector-import-'));
    try {
      const file = path.join(temp, 'more.csv');
      fs.writeFileSync(file, ['id,width,height,a,label', `${ids[1]},5,,,`, ',0.25,0.5,0.75,b'].join('\n'));
      const stored = await storeImportFile(
        manager,
        { datasetId, fileName: 'more.csv', path: file, sizeBytes: fs.statSync(file).size },
        MEGABYTE,
      );
      const mapping = {
        columns: { id: 'id', width: 'feature:width', height: 'feature:height', a: 'feature:a', label: 'label' },
      } as const;
      const applied = await runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping });
      assert.deepEqual([applied.inserts, applied.updates], [1, 1]);
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
    assert.deepEqual(await storedVector(ids[1]!), float32s({ width: 5, height: 4, a: 1e-7 }));
    const inserted = (await DataRecord.findOne({ where: { datasetId }, order: [['id', 'DESC']] }))!;
    assert.deepEqual(await storedVector(inserted.id), [0.25, 0.5, 0.75]);
  });

  it('cannot be set by hand: an update of the vector itself recomputes it', async () => {
    await sequelizeOf().query(`UPDATE records SET feature_vector = '\\x00000000' WHERE id = :id`, {
      replacements: { id: ids[0] },
    });
    assert.deepEqual(await storedVector(ids[0]!), float32s({ width: 1.5, height: -2, a: 0.1 }));
    await assert.rejects(
      sequelizeOf().query(
        `INSERT INTO records (dataset_id, text, feature_vector) VALUES (:datasetId, 'x', '\\x00000000')`,
        { replacements: { datasetId } },
      ),
      /records_feature_vector_has_features/,
    );
  });

  it('is recomputed for the whole dataset when its feature schema changes', async () => {
    const reordered = [SCHEMA[2]!, SCHEMA[0]!, SCHEMA[1]!];
    await Dataset.update({ featureSchema: reordered }, { where: { id: datasetId } });
    assert.deepEqual(await storedVector(ids[0]!), float32s({ width: 1.5, height: -2, a: 0.1 }, reordered));
    await Dataset.update(
      { featureSchema: [...SCHEMA, { name: 'island', type: 'category', categories: ['x'] }] },
      { where: { id: datasetId } },
    );
    assert.equal(await storedVector(ids[0]!), null, 'a schema with a category is read from JSON');
    await Dataset.update({ featureSchema: SCHEMA }, { where: { id: datasetId } });
    assert.deepEqual(await storedVector(ids[0]!), float32s({ width: 1.5, height: -2, a: 0.1 }));
  });
});
