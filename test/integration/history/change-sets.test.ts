import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, Dataset, sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { archiveAuditEvents } from '../../../src/audit/archive-audit.js';
import { verifyArchiveFile } from '../../../src/audit/verify-archive-file.js';
import { verifyAuditChain, type ChainReport } from '../../../src/audit/verify-chain.js';
import { generateDataset } from '../../../src/datasets/generate-dataset.js';
import { Forbidden, NotFound } from '../../../src/errors/domain-error.js';
import { applyBulkEdit, parseBulkEdit } from '../../../src/records/bulk-edit.js';
import { changeSetRows } from '../../../src/records/history/change-set-rows.js';
import { exportChangeSet } from '../../../src/records/history/export-change-set.js';
import { recordHistory } from '../../../src/records/history/record-history.js';
import { storeImportFile, MEGABYTE } from '../../../src/records/import/import-file.js';
import { runImport } from '../../../src/records/import/run-import.js';
import { restoreRecords } from '../../../src/records/restore-records.js';
import { createRecord, deleteRecord, updateRecord } from '../../../src/records/save-record.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { changeRecords } from '../../support/change-records.js';
import { createTestUser } from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';

interface Change {
  /** A bigint: a number or its text, depending on the driver's parser. */
  recordId: string | number;
  kind: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * The bulk edit: 20,000 records, ten of its 2,000-row statements. Until issue 23 it was 150,000; the
 * scale proof, a million records with every previous value checked, is `npm run bench` (history part).
 */
const SELECTED = 20_000;
const IMPORTED = 10_000;

async function changesOf(changeSetId: number): Promise<Change[]> {
  return sequelizeOf().query<Change>(
    'SELECT record_id AS "recordId", kind, before, after FROM record_changes WHERE change_set_id = :id ORDER BY record_id',
    { replacements: { id: changeSetId }, type: QueryTypes.SELECT },
  );
}

async function lastEvent(action: string): Promise<AuditEvent> {
  return (await AuditEvent.findOne({ where: { action, outcome: 'success' }, order: [['seq', 'DESC']] }))!;
}

/** Runs statements as the schema's owner with triggers off (a superuser's tampering), verifies, rolls back. */
async function verifyAfterTampering(...statements: string[]): Promise<ChainReport> {
  const sequelize = sequelizeOf();
  const transaction = await sequelize.transaction();
  try {
    await sequelize.query('SET LOCAL session_replication_role = replica', { transaction });
    for (const sql of statements) await sequelize.query(sql, { transaction });
    return await verifyAuditChain({ transaction });
  } finally {
    await transaction.rollback();
  }
}

/** id → label, text, tags of the dataset's records (or of `ids` only): the snapshot previous values are compared with. */
async function snapshot(
  datasetId: number,
  ids?: number[],
): Promise<Map<string, { label: string | null; text: string; tags: string[] }>> {
  const rows = await sequelizeOf().query<{ id: string; label: string | null; text: string; tags: string[] }>(
    `SELECT id, label, text, tags FROM records WHERE dataset_id = :datasetId${ids ? ' AND id = ANY (CAST(:ids AS bigint[]))' : ''}`,
    { replacements: { datasetId, ids: ids ? `{${ids.join(',')}}` : null }, type: QueryTypes.SELECT },
  );
  return new Map(rows.map((r) => [String(r.id), { label: r.label, text: r.text, tags: r.tags }]));
}

describe('change-sets: every change to records keeps its previous values (real Postgres)', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-change-sets-'));
  let manager: Actor;
  let auditor: Actor;
  let datasetId: number;
  /** The single edit of the first test (label ham → spam), exported in the last. */
  let labelEdit: AuditEvent;

  before(async () => {
    await useTestDatabase();
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    auditor = { type: 'user', ...(await createTestUser('auditor')) };
    const name = unique('history');
    await insertDataset(
      { type: 'system' },
      {
        name,
        task: 'text-classification',
        labels: ['ham', 'spam'],
        featureSchema: [],
        description: null,
        source: null,
        license: null,
      },
      [1, 2, 3].map((i) => ({
        text: `message ${i}`,
        features: null,
        label: 'ham',
        split: 'train',
        tags: [],
        source: null,
      })),
    );
    datasetId = (await Dataset.findOne({ where: { name } }))!.id;
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('records a change-set for a create, an edit, a delete and a restore, each named in its audit event', async () => {
    const created = await createRecord(manager, { datasetId, text: 'new one', label: 'ham' });
    const create = await lastEvent('records.create');
    assert.deepEqual(
      (await changesOf(create.changeSet!.id)).map((c) => [Number(c.recordId), c.kind, c.before, c.after]),
      [[created.id, 'c', {}, {}]],
    );

    await updateRecord(manager, created.id, { label: 'spam', text: 'new one' });
    const update = await lastEvent('records.update');
    labelEdit = update;
    assert.deepEqual(update.changeSet?.fields, ['label']);
    assert.deepEqual(
      (await changesOf(update.changeSet.id)).map((c) => [c.kind, c.before, c.after]),
      [['u', { label: 'ham' }, { label: 'spam' }]],
    );
    assert.deepEqual([update.before, update.after], [{ label: 'ham' }, { label: 'spam' }], 'kept inline too');

    await deleteRecord(manager, created.id);
    const del = await lastEvent('records.delete');
    const [deleted] = await changesOf(del.changeSet!.id);
    assert.deepEqual(deleted!.before, { deletedAt: null });
    assert.match(String(deleted!.after.deletedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    await restoreRecords({ type: 'system' }, { ids: [created.id] });
    const restore = await lastEvent('records.restore');
    assert.deepEqual(
      (await changesOf(restore.changeSet!.id)).map((c) => [c.before, c.after]),
      [[deleted!.after, { deletedAt: null }]],
    );

    const [row] = await sequelizeOf().query<{ auditSeq: string; records: number; digest: string }>(
      'SELECT audit_seq AS "auditSeq", record_count AS records, digest FROM change_sets WHERE id = :id',
      { replacements: { id: restore.changeSet!.id }, type: QueryTypes.SELECT },
    );
    assert.deepEqual([Number(row!.auditSeq), row!.records, row!.digest], [restore.seq, 1, restore.changeSet!.digest]);

    const history = await recordHistory(auditor, created.id);
    assert.equal(history.total, 4);
    assert.deepEqual(
      history.entries.map((e) => [e.action, e.kind, e.auditSeq]),
      [
        ['records.restore', 'updated', restore.seq],
        ['records.delete', 'updated', del.seq],
        ['records.update', 'updated', update.seq],
        ['records.create', 'created', create.seq],
      ],
    );
    assert.equal(history.entries[2]!.actorLabel, (manager as { email: string }).email);
    await assert.rejects(recordHistory({ type: 'anonymous' }, created.id), Forbidden);
    await assert.rejects(recordHistory(auditor, 999_999_999), NotFound);
  });

  it('merges two changes of one record in one change-set: the first value before, the last after', async () => {
    const [record] = await DataRecord.findAll({ where: { datasetId }, limit: 1, order: [['id', 'DESC']] });
    await changeRecords(async () => {
      await sequelizeOf().query(`UPDATE records SET label = 'spam', tags = '{a}' WHERE id = :id`, {
        replacements: { id: record!.id },
      });
      await sequelizeOf().query(`UPDATE records SET label = 'ham', source = 'twice' WHERE id = :id`, {
        replacements: { id: record!.id },
      });
    });
    const event = await lastEvent('records.update');
    assert.deepEqual(
      (await changesOf(event.changeSet!.id)).map((c) => [Number(c.recordId), c.before, c.after]),
      [[record!.id, { label: record!.label, tags: [], source: null }, { label: 'ham', tags: ['a'], source: 'twice' }]],
    );
  });

  it('refuses an UPDATE of a record outside a change-set; a write of updated_at alone records nothing', async () => {
    const [record] = await DataRecord.findAll({ where: { datasetId }, limit: 1, order: [['id', 'ASC']] });
    await assert.rejects(
      sequelizeOf().query(`UPDATE records SET label = 'spam' WHERE id = :id`, { replacements: { id: record!.id } }),
      /records changed outside a change-set/,
    );
    await assert.rejects(DataRecord.update({ tags: ['x'] }, { where: { id: record!.id } }), /outside a change-set/);
    assert.equal((await DataRecord.findByPk(record!.id))!.label, 'ham');
    await sequelizeOf().query('UPDATE records SET updated_at = now() WHERE id = :id', {
      replacements: { id: record!.id },
    });
    const [counted] = await sequelizeOf().query<{ n: number }>(
      'SELECT count(*)::int AS n FROM record_changes WHERE record_id = :id',
      { replacements: { id: record!.id }, type: QueryTypes.SELECT },
    );
    assert.equal(counted!.n, 0);
  });

  it('archives change-set rows with their events; the file fails verification when a row is altered or removed', async () => {
    const ids = (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']], limit: 3 })).map((r) => r.id);
    const { selection, changes } = parseBulkEdit(manager, { selection: { ids }, changes: { label: 'spam' } });
    await applyBulkEdit(manager, selection, changes);
    const event = await lastEvent('records.bulk_update');
    const file = path.join(folder, 'archive.jsonl');
    const out = fs.createWriteStream(file);
    const result = await archiveAuditEvents({ type: 'cli', osUser: 'dba' }, event.seq, out);
    out.end();
    await new Promise<void>((resolve) => out.on('close', () => resolve()));
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const rowLines = lines.filter((line) => 'changeSetId' in (JSON.parse(line) as object));
    assert.ok(rowLines.length >= 3 + 4, 'the bulk edit and the single writes above');
    assert.equal(lines.length, result.events + rowLines.length);
    const intact = await verifyArchiveFile(file);
    assert.equal(intact.ok, true, intact.problem);
    assert.ok((intact.changeSets ?? 0) >= 5);

    const at = lines.findIndex((line) => line.includes(`"changeSetId":${event.changeSet!.id},`));
    const altered = lines.slice();
    altered[at] = altered[at]!.replace('\\"spam\\"', '\\"ham\\"');
    assert.notEqual(altered[at], lines[at]);
    const alteredFile = path.join(folder, 'altered.jsonl');
    fs.writeFileSync(alteredFile, `${altered.join('\n')}\n`);
    const report = await verifyArchiveFile(alteredFile);
    assert.deepEqual([report.ok, report.firstBad], [false, event.seq]);
    assert.match(report.problem!, new RegExp(`change-set ${event.changeSet!.id} was changed`));

    const removedFile = path.join(folder, 'removed.jsonl');
    fs.writeFileSync(removedFile, `${lines.filter((_, i) => i !== at).join('\n')}\n`);
    assert.deepEqual(
      [(await verifyArchiveFile(removedFile)).ok, (await verifyArchiveFile(removedFile)).firstBad],
      [false, event.seq],
    );
  });

  it(`keeps every previous value of a bulk edit of ${SELECTED.toLocaleString('en')} records and an import updating ${IMPORTED.toLocaleString('en')}; History shows both`, async function () {
    this.timeout(900_000);
    const generated = await generateDataset(
      { type: 'system' },
      { name: unique('bulk-history'), rows: SELECTED, task: 'text-classification' },
    );
    const big = generated.datasetId;
    const beforeBulk = await snapshot(big);

    const { selection, changes } = parseBulkEdit(manager, {
      selection: { filter: { datasetId: big } },
      changes: { label: 'praise', addTags: 'reviewed' },
    });
    const bulk = await applyBulkEdit(manager, selection, changes);
    assert.equal(bulk.matching, SELECTED);
    const bulkEvent = await lastEvent('records.bulk_update');
    assert.equal(bulkEvent.before, null, 'no capped copy of the previous values in the event');
    assert.equal(bulkEvent.recordIds.length, 100, 'a preview of the ids');
    assert.equal(bulkEvent.changeSet!.records, SELECTED, 'every record gained a tag');
    const bulkRows = await changesOf(bulkEvent.changeSet!.id);
    assert.equal(bulkRows.length, SELECTED);
    let compared = 0;
    for (const row of bulkRows) {
      const was = beforeBulk.get(String(row.recordId))!;
      assert.deepEqual(row.before.tags, was.tags, `record ${row.recordId}: tags before`);
      assert.deepEqual(row.after.tags, [...was.tags, 'reviewed'], `record ${row.recordId}: tags after`);
      if (was.label === 'praise') assert.equal('label' in row.before, false, `record ${row.recordId}: label unchanged`);
      else assert.deepEqual([row.before.label, row.after.label], [was.label, 'praise'], `record ${row.recordId}`);
      compared += 1;
    }
    assert.equal(compared, beforeBulk.size);

    // An import rewriting the text and label of 10,000 of them, ending deep in the bulk edit's selection.
    const ids = [...beforeBulk.keys()].map(Number).sort((a, b) => a - b);
    const updated = ids.slice(SELECTED - IMPORTED - 5_000, SELECTED - 5_000);
    const deep = updated.at(-1)!;
    const csv = [
      'id,text,label',
      ...updated.map((id, i) => `${id},"imported ""${i}"", with a comma",${i % 2 ? 'question' : 'complaint'}`),
    ];
    const csvFile = path.join(folder, 'updates.csv');
    fs.writeFileSync(csvFile, `${csv.join('\n')}\n`);
    const beforeImport = await snapshot(big, updated); // the 10,000 the import rewrites, not all of them again
    const stored = await storeImportFile(
      manager,
      { datasetId: big, fileName: 'updates.csv', path: csvFile, sizeBytes: fs.statSync(csvFile).size },
      10 * MEGABYTE,
    );
    const applied = await runImport(manager, {
      fileId: stored.fileId,
      mode: 'apply',
      mapping: { columns: { id: 'id', text: 'text', label: 'label' } },
    });
    assert.equal(applied.updates, IMPORTED);
    const importEvent = await lastEvent('records.import');
    const importRows = await changesOf(importEvent.changeSet!.id);
    assert.equal(importRows.length, IMPORTED);
    for (const row of importRows) {
      const was = beforeImport.get(String(row.recordId))!;
      assert.equal(row.kind, 'u');
      assert.equal(row.before.text, was.text, `record ${row.recordId}: text before`);
      assert.match(String(row.after.text), /^imported "\d+", with a comma$/);
      if ('label' in row.after) assert.equal(row.before.label, was.label, `record ${row.recordId}: label before`);
    }

    const history = await recordHistory(auditor, deep);
    assert.deepEqual(
      history.entries.map((e) => e.action),
      ['records.import', 'records.bulk_update'],
      'the import, then the bulk edit before it',
    );
    assert.equal(history.entries[0]!.before.text, beforeBulk.get(String(deep))!.text);
    assert.deepEqual(history.entries[1]!.before.tags, beforeBulk.get(String(deep))!.tags);
    assert.equal(history.entries[1]!.auditSeq, bulkEvent.seq);

    const page = await changeSetRows(auditor, bulkEvent.changeSet!.id, { page: 3, perPage: 100 });
    assert.equal(page.total, SELECTED);
    assert.equal(page.rows[0]!.recordId, Number(bulkRows[200]!.recordId));
    const keyset = await changeSetRows(auditor, bulkEvent.changeSet!.id, { afterRecordId: deep, perPage: 2 });
    assert.deepEqual(
      keyset.rows.map((r) => r.recordId),
      ids.filter((id) => id > deep).slice(0, 2),
    );

    const verified = await verifyAuditChain();
    assert.equal(verified.ok, true, verified.problem);
    assert.ok((verified.changeSets ?? 0) >= 7);
  });

  it('fails verify-audit at the event whose change-set row was altered, added or removed in SQL as the owner', async () => {
    const event = await lastEvent('records.import');
    const [row] = await changesOf(event.changeSet!.id);
    const altered = await verifyAfterTampering(
      `UPDATE record_changes SET before = jsonb_set(before, '{text}', '"forged"') WHERE change_set_id = ${event.changeSet!.id} AND record_id = ${row!.recordId}`,
    );
    assert.deepEqual([altered.ok, altered.firstBad], [false, event.seq]);
    assert.match(altered.problem!, /change-set \d+ was changed/);
    const removed = await verifyAfterTampering(
      `DELETE FROM record_changes WHERE change_set_id = ${event.changeSet!.id} AND record_id = ${row!.recordId}`,
    );
    assert.deepEqual([removed.ok, removed.firstBad], [false, event.seq]);
    const added = await verifyAfterTampering(
      `INSERT INTO record_changes VALUES (${event.changeSet!.id}, 0, 'u', '{"label": "x"}', '{"label": "y"}')`,
    );
    assert.deepEqual([added.ok, added.firstBad], [false, event.seq]);
    const intact = await verifyAuditChain();
    assert.equal(intact.ok, true, intact.problem);
  });

  it('exports a change-set as CSV (one line per record and field) and JSON lines, audited', async () => {
    const event = labelEdit;
    const collect = async (format: 'csv' | 'jsonl') => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      const count = await exportChangeSet(auditor, event.changeSet!.id, format, out);
      out.end();
      return { count, text: Buffer.concat(chunks).toString('utf8') };
    };
    const csv = await collect('csv');
    assert.equal(csv.count, 1);
    assert.equal(csv.text.trim().split('\n')[1]!.replace(/^\d+/, 'ID'), 'ID,updated,label,ham,spam');
    const jsonl = await collect('jsonl');
    assert.deepEqual(JSON.parse(jsonl.text.trim()), {
      recordId: (await changesOf(event.changeSet!.id)).map((c) => Number(c.recordId))[0],
      kind: 'updated',
      fields: ['label'],
      before: { label: 'ham' },
      after: { label: 'spam' },
    });
    const exported = await lastEvent('change_sets.export');
    assert.deepEqual(exported.selection, { changeSetId: event.changeSet!.id, format: 'jsonl' });
    await assert.rejects(
      exportChangeSet({ type: 'anonymous' }, event.changeSet!.id, 'csv', new PassThrough()),
      Forbidden,
    );
  });
});
