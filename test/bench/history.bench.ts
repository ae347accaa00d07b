// `npm run bench` (part): the cost of full before-images (change-sets) on the two big writers, and a
// record's History at scale. On a 1,000,000-record text dataset: a bulk edit of every record and a CSV
// import updating every record (id,text), each run twice in the same run and through the same code:
// once with the capture trigger switched off by the schema's owner (ALTER TABLE records DISABLE
// TRIGGER records_capture_update: the change-set is opened and closed but records nothing) and once
// with it on (one record_changes row per record, digest streamed at close). VACUUM between runs. Then
// the History page of a record deep in the selection (p50/p95 of 40 calls, its EXPLAIN), and
// verify-audit over every change-set digest. The captured bulk edit is checked, not only timed: its
// change-set must hold every record's label and tags from before and after the edit (exit code 1 if not).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import { verifyAuditChain } from '../../src/audit/verify-chain.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { applyBulkEdit, parseBulkEdit } from '../../src/records/bulk-edit.js';
import { historySql, recordHistory } from '../../src/records/history/record-history.js';
import { MEGABYTE, storeImportFile } from '../../src/records/import/import-file.js';
import { runImport } from '../../src/records/import/run-import.js';
import { saveUser } from '../../src/users/save-user.js';
import { benchDatabase } from './bench-database.js';
import { latency } from './latency.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);

const seconds = async <T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> => {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
};
const rate = (rows: number, s: number) => ({ seconds: Number(s.toFixed(1)), rowsPerSecond: Math.round(rows / s) });

async function capture(on: boolean): Promise<void> {
  await sequelizeOf().query(`ALTER TABLE records ${on ? 'ENABLE' : 'DISABLE'} TRIGGER records_capture_update`);
}

async function changeRows(): Promise<number> {
  const [row] = await sequelizeOf().query<{ n: number }>('SELECT count(*)::int AS n FROM record_changes', {
    type: QueryTypes.SELECT,
  });
  return row!.n;
}

/**
 * Whether the last bulk-edit change-set holds exactly one row per record of `before_edit`, each with
 * the record's label and tags from before the edit and the edit's label and tags after it.
 */
async function everyPreviousValueKept(label: string, tag: string): Promise<boolean> {
  const [row] = await sequelizeOf().query<{ rows: number; kept: number; records: number }>(
    `WITH edit AS (
       SELECT (change_set ->> 'id')::bigint AS id FROM audit_events
        WHERE action = 'records.bulk_update' ORDER BY seq DESC LIMIT 1
     )
     SELECT count(*)::int AS rows,
            count(*) FILTER (WHERE c.before ->> 'label' = b.label AND c.after ->> 'label' = :label
                               AND c.before -> 'tags' = to_jsonb(b.tags)
                               AND c.after -> 'tags' = to_jsonb(b.tags || CAST(:tag AS text)))::int AS kept,
            (SELECT count(*) FROM before_edit)::int AS records
       FROM record_changes c JOIN edit ON c.change_set_id = edit.id LEFT JOIN before_edit b ON b.id = c.record_id`,
    { replacements: { label, tag }, type: QueryTypes.SELECT },
  );
  return row!.rows === row!.records && row!.kept === row!.records;
}

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-history-bench-'));
const db = await benchDatabase(10);
try {
  const { user } = await saveUser(
    { type: 'system' },
    { email: 'content@example.com', role: 'content_manager', password: 'violet trombone cabinet lantern 2026' },
  );
  const manager = { type: 'user' as const, id: user.id, email: user.email, role: user.role };
  const generated = await generateDataset(
    { type: 'system' },
    { name: 'history-1m', rows: ROWS, task: 'text-classification' },
  );
  const datasetId = generated.datasetId;
  const vacuum = () => sequelizeOf().query('VACUUM ANALYZE records');
  await vacuum();

  const bulkEdit = async (label: string, tag: string) => {
    const { selection, changes } = parseBulkEdit(manager, {
      selection: { filter: { datasetId } },
      changes: { label, addTags: tag },
    });
    const { value } = await seconds(() => applyBulkEdit(manager, selection, changes));
    return value.changed;
  };
  // Every record changes in both runs: a new label for most, a new tag for all.
  await capture(false);
  const bulkWithout = await seconds(() => bulkEdit('praise', 'run-1'));
  await capture(true);
  await vacuum();
  const rowsBefore = await changeRows();
  // What every record was before the captured edit, to check its change-set row against.
  await sequelizeOf().query(
    'CREATE TEMP TABLE before_edit AS SELECT id, label, tags FROM records WHERE dataset_id = :datasetId',
    { replacements: { datasetId } },
  );
  const bulkWith = await seconds(() => bulkEdit('question', 'run-2'));
  const bulkCaptured = (await changeRows()) - rowsBefore;
  const bulkKept = await everyPreviousValueKept('question', 'run-2');
  await vacuum();

  const ids = (
    await sequelizeOf().query<{ id: string }>('SELECT id FROM records WHERE dataset_id = :datasetId ORDER BY id', {
      replacements: { datasetId },
      type: QueryTypes.SELECT,
    })
  ).map((r) => Number(r.id));
  const importFile = async (name: string, variant: string) => {
    const file = path.join(temp, name);
    const out = fs.createWriteStream(file);
    out.write('id,text\n');
    for (const [i, id] of ids.entries()) {
      if (!out.write(`${id},"${variant} message ${i}: please ""reply"", soon"\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    return storeImportFile(
      manager,
      { datasetId, fileName: name, path: file, sizeBytes: fs.statSync(file).size },
      1_024 * MEGABYTE,
    );
  };
  const importUpdates = async (name: string, variant: string) => {
    const stored = await importFile(name, variant);
    const { value, seconds: s } = await seconds(() =>
      runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping: { columns: { id: 'id', text: 'text' } } }),
    );
    return { updates: value.updates, seconds: s };
  };
  await capture(false);
  const importWithout = await importUpdates('without.csv', 'first');
  await capture(true);
  await vacuum();
  const rowsBeforeImport = await changeRows();
  const importWith = await importUpdates('with.csv', 'second');
  const importCaptured = (await changeRows()) - rowsBeforeImport;
  await sequelizeOf().query('VACUUM ANALYZE record_changes');

  const totalChangeRows = await changeRows();
  const deep = ids[Math.floor(ids.length * 0.9)]!;
  const history = await recordHistory(manager, deep);
  const historyLatency = await latency(() => recordHistory(manager, deep, { perPage: 50 }), 40, 5);
  const plan = (
    await sequelizeOf().query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${historySql()}`, {
      replacements: { recordId: deep, limit: 50, offset: 0 },
      type: QueryTypes.SELECT,
    })
  ).map((row) => row['QUERY PLAN']);
  const verified = await seconds(() => verifyAuditChain());

  console.log(
    JSON.stringify(
      {
        benchmark: 'change-history',
        when: new Date().toISOString(),
        machine: machine(),
        records: ROWS,
        how: 'same code path twice per writer; "without" = capture trigger disabled by the schema owner (change-set opened and closed, no rows), "with" = one record_changes row per record + digest at close; VACUUM ANALYZE records before each run',
        bulkEdit: {
          without: { changed: bulkWithout.value, ...rate(bulkWithout.value, bulkWithout.seconds) },
          with: {
            changed: bulkWith.value,
            captured: bulkCaptured,
            everyPreviousValueKept: bulkKept,
            ...rate(bulkWith.value, bulkWith.seconds),
          },
          withShareOfWithout: Number((bulkWithout.seconds / bulkWith.seconds).toFixed(2)),
        },
        importUpdates: {
          without: { updated: importWithout.updates, ...rate(importWithout.updates, importWithout.seconds) },
          with: {
            updated: importWith.updates,
            captured: importCaptured,
            ...rate(importWith.updates, importWith.seconds),
          },
          withShareOfWithout: Number((importWithout.seconds / importWith.seconds).toFixed(2)),
        },
        history: {
          recordChangeRows: totalChangeRows,
          record: deep,
          entries: history.total,
          ...historyLatency,
          plan,
          indexUsed: plan.some((line) => line.includes('record_changes_by_record')),
        },
        verifyAudit: {
          ok: verified.value.ok,
          events: verified.value.checked,
          changeSets: verified.value.changeSets,
          seconds: Number(verified.seconds.toFixed(1)),
          changeRowsPerSecond: Math.round(totalChangeRows / verified.seconds),
        },
      },
      null,
      2,
    ),
  );
  if (!bulkKept) process.exitCode = 1;
} finally {
  await db.close();
  fs.rmSync(temp, { recursive: true, force: true });
}
