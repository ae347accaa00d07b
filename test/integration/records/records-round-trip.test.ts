import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { DataRecord, Dataset } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { Conflict } from '../../../src/errors/domain-error.js';
import { exportRecords } from '../../../src/records/export-records.js';
import { MEGABYTE, storeImportFile } from '../../../src/records/import/import-file.js';
import { queueImport } from '../../../src/records/import/queue-import.js';
import { runImport } from '../../../src/records/import/run-import.js';
import { readRecordCell, writeRecordCell } from '../../../src/records/record-csv-cells.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { createTestUser } from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';

const FEATURES = [
  { name: 'length', type: 'number' as const },
  { name: 'island', type: 'category' as const, categories: ['biscoe', 'dream'] },
];

/** The export a person downloads from Records, filtered to one dataset. */
async function exportCsv(actor: Actor, datasetId: number): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await exportRecords(actor, { where: { datasetId }, sort: { by: 'id', direction: 'asc' }, describe: {} }, 'csv', out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-round-trip-'));

describe('records exported and imported back (real Postgres)', () => {
  let manager: Actor & { email: string };
  let datasetId: number;

  before(async () => {
    await useTestDatabase();
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    const name = unique('round-trip');
    await insertDataset(
      { type: 'system' },
      { name, task: 'tabular-classification', labels: ['a', 'b'], featureSchema: FEATURES },
      [
        {
          text: null,
          features: { length: 1.5, island: 'biscoe' },
          label: 'a',
          split: 'train',
          tags: ['x; y', 'p|q'],
          source: '=1+1',
        },
        { text: null, features: { length: null, island: 'dream' }, label: 'b', split: 'test', tags: [], source: null },
        {
          text: null,
          features: { length: -3, island: 'dream' },
          label: null,
          split: 'holdout',
          tags: ['z'],
          source: "'quoted",
        },
      ],
    );
    datasetId = (await Dataset.findOne({ where: { name } }))!.id;
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function upload(csv: string, fileName = 'records.csv') {
    const file = path.join(temp, `${unique('f')}.csv`);
    fs.writeFileSync(file, csv);
    return storeImportFile(
      manager,
      { datasetId, fileName, path: file, sizeBytes: fs.statSync(file).size },
      10 * MEGABYTE,
    );
  }
  const records = async () =>
    (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']] })).map((r) => r.get({ plain: true }));

  it('writes cells the importer reads back as they were', () => {
    for (const value of ['=SUM(A1)', '+1', '-x', '@a', '\tt', "'=x", "'plain", 'plain', "''", '']) {
      assert.equal(readRecordCell(writeRecordCell(value)), value);
    }
    assert.equal(writeRecordCell(-3), '-3', 'a negative number is not a formula');
  });

  it('an export imported back with the mapping the form proposes changes nothing (0 created, 0 changed)', async () => {
    const before = await records();
    const stored = await upload(await exportCsv(manager, datasetId));
    assert.equal(stored.mapping.features, 'features');
    assert.equal(stored.mapping.tags, 'tags');
    assert.equal(stored.mapping.predictedLabel, 'ignore');
    const mapping = { columns: stored.mapping };
    const dryRun = await runImport(manager, { fileId: stored.fileId, mode: 'dry-run', mapping });
    assert.deepEqual(
      [dryRun.rows, dryRun.inserts, dryRun.updates, dryRun.unchanged, dryRun.invalidRows],
      [3, 0, 0, 3, 0],
      JSON.stringify(dryRun.errors),
    );
    assert.deepEqual(dryRun.earlierImports, []);
    const applied = await runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping });
    assert.deepEqual([applied.inserts, applied.updates, applied.unchanged], [0, 0, 3]);
    assert.deepEqual(await records(), before, 'not a value changed, not even updatedAt');
  });

  it('an edited export changes only the records whose cells were edited', async () => {
    const csv = await exportCsv(manager, datasetId);
    const [header, first, ...rest] = csv.trimEnd().split('\n');
    const edited = [
      header,
      first!.replace('""length"":1.5', '""length"":2.5').replace(',a,train,', ',b,train,'),
      ...rest,
    ].join('\n');
    const stored = await upload(edited, 'edited.csv');
    const mapping = { columns: stored.mapping };
    const applied = await runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping, importAgain: false });
    assert.deepEqual([applied.inserts, applied.updates, applied.unchanged], [0, 1, 2]);
    const changed = (await records())[0]!;
    assert.deepEqual(
      [changed.features, changed.label, changed.tags],
      [{ length: 2.5, island: 'biscoe' }, 'b', ['x; y', 'p|q']],
    );
  });

  it('the same file again: the upload and the dry run say when and by whom, apply only when asked for', async () => {
    const csv = 'label,length,island\na,7,dream\n';
    const first = await upload(csv, 'new-birds.csv');
    assert.deepEqual(first.earlierImports, []);
    const mapping = { columns: first.mapping };
    await runImport(manager, { fileId: first.fileId, mode: 'apply', mapping });

    const second = await upload(csv, 'new-birds (1).csv');
    assert.equal(second.earlierImports.length, 1);
    assert.deepEqual(
      [second.earlierImports[0]!.fileId, second.earlierImports[0]!.fileName, second.earlierImports[0]!.appliedBy],
      [first.fileId, 'new-birds.csv', manager.email],
    );
    const dryRun = await runImport(manager, { fileId: second.fileId, mode: 'dry-run', mapping });
    assert.equal(dryRun.earlierImports[0]!.fileId, first.fileId);
    await assert.rejects(
      runImport(manager, { fileId: second.fileId, mode: 'apply', mapping }),
      (error: unknown) =>
        error instanceof Conflict &&
        error.code === 'import.duplicate_file' &&
        /"new-birds.csv" was imported into .* UTC by .*\. .*Tick "Import this file again"/.test(error.message),
    );
    await assert.rejects(
      queueImport(manager, { fileId: second.fileId, mode: 'apply', mapping }),
      /was imported before/,
    );
    const count = await DataRecord.count({ where: { datasetId } });
    const again = await runImport(manager, { fileId: second.fileId, mode: 'apply', mapping, importAgain: true });
    assert.equal(again.inserts, 1);
    assert.equal(await DataRecord.count({ where: { datasetId } }), count + 1, 'deliberately imported twice');
  });
});
