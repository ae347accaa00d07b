import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { parse, type Parser } from 'csv-parse';
import { from as copyFrom } from 'pg-copy-streams';
import type { Transaction } from 'sequelize';
import * as z from 'zod';
import { Dataset, sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { appendAuditEvent } from '../../audit/append-audit-event.js';
import { recordFailure } from '../../audit/with-audit.js';
import { Conflict, Forbidden, InvalidInput } from '../../errors/domain-error.js';
import { editableRecordFields } from '../editable-record-fields.js';
import { ImportMapping, planImport, type ImportPlan } from './import-mapping.js';
import { connectionOf, findImportFile, readImportFile, type ImportFileFacts } from './import-file.js';
import { badCsv, isCsvError } from './describe-csv-error.js';
import { readImportRow, type ImportRow, type RowError } from './read-import-row.js';

/** Errors listed in a result (all are counted). */
export const LISTED_ERRORS = 100;
/** Rows the importer accepts per file (the issue's bound; the dry run says so rather than stopping mid-file). */
export const MAX_IMPORT_ROWS = 1_000_000;
/** COPY text sent per write (keeps the stream's buffer small). */
const COPY_BATCH_BYTES = 256 * 1024;

export const ImportParams = z.object({
  fileId: z.coerce.number().int().positive(),
  mode: z.enum(['dry-run', 'apply']),
  /** Apply the valid rows and leave out the invalid ones (otherwise any invalid row refuses the whole import). */
  skipInvalid: z.boolean().default(false),
  mapping: ImportMapping,
});
export type ImportParams = z.input<typeof ImportParams>;

export interface ImportResult {
  mode: 'dry-run' | 'apply';
  fileId: number;
  fileName: string;
  sha256: string;
  dataset: string;
  rows: number;
  inserts: number;
  updates: number;
  invalidRows: number;
  errorCount: number;
  /** The first LISTED_ERRORS errors by row. */
  errors: RowError[];
  /** True when the rows were written (apply only). */
  applied: boolean;
}

export type ImportProgress = (phase: string, done: number, total: number) => Promise<void>;

/**
 * Checks (dry run) or applies a stored CSV to its dataset. Both stream the file through csv-parse,
 * check each row with the console's rules (readImportRow) and COPY the valid ones into a temporary
 * table, where ids are checked against the dataset; memory stays at a chunk and a batch, whatever
 * the file's size. A dry run then rolls back and reports counts and the first errors. Apply, in the
 * same single transaction, inserts the new records and updates the matched ones and appends ONE
 * audit event (`records.import`: file, sha256, counts): killed or cancelled part-way, nothing is
 * written and a retry starts over. With invalid rows apply refuses unless `skipInvalid`.
 */
export async function runImport(actor: Actor, raw: unknown, progress: ImportProgress = async () => undefined): Promise<ImportResult> {
  const params = ImportParams.parse(raw);
  const file = await findImportFile(params.fileId);
  const dataset = (await Dataset.findByPk(file.datasetId))!;
  const entry = { action: 'records.import', resource: 'records', selection: { datasetId: dataset.id, dataset: dataset.name, fileId: file.id, fileName: file.fileName, sha256: file.sha256 } };
  const plan = planImport(file.columns, dataset, params.mapping);
  if (params.mode === 'apply') {
    try {
      checkAllowed(actor, plan);
    } catch (error) {
      await recordFailure(actor, entry, error);
      throw error;
    }
  } else if (decide(actor, 'datasets', 'importCsv') !== true) {
    throw new Forbidden('import.forbidden', 'Your role may not import records; ask a content manager or an admin.');
  }
  // An unmanaged transaction on purpose: a managed one would put Sequelize's other queries (reading
  // the file's chunks, the job's progress) on this connection through CLS, where the COPY is busy.
  const transaction = await sequelizeOf().transaction();
  let committed = false;
  try {
    // Locked for apply: a second apply of the same file (a double click) waits, then finds it imported.
    const [state] = (await connectionOf(transaction).query<{ applied_at: Date | null }>(`SELECT applied_at FROM import_files WHERE id = $1${params.mode === 'apply' ? ' FOR UPDATE' : ''}`, [file.id])).rows;
    if (state?.applied_at) {
      throw new Conflict('import.already_applied', `"${file.fileName}" was already imported (${state.applied_at.toISOString()}). To import it again, upload it again.`);
    }
    const checked = await stageRows(transaction, file, dataset, plan, progress);
    const result: ImportResult = { mode: params.mode, fileId: file.id, fileName: file.fileName, sha256: file.sha256, dataset: dataset.name, ...checked, applied: false };
    if (params.mode === 'dry-run') return result;
    if (checked.invalidRows > 0 && !params.skipInvalid) {
      const first = checked.errors.slice(0, 3).map((e) => `row ${e.row}, ${e.column}: ${e.reason}`).join('; ');
      throw new InvalidInput(
        'import.invalid_rows',
        `${checked.invalidRows} row(s) of "${file.fileName}" are invalid (${first}${checked.errorCount > 3 ? '; …' : ''}). Nothing was imported: fix the file or the mapping, or tick "skip invalid rows" to import only the valid ones.`,
      );
    }
    await progress('writing records', 0, checked.inserts + checked.updates);
    await writeRecords(transaction, dataset, plan);
    await connectionOf(transaction).query('UPDATE import_files SET applied_at = now() WHERE id = $1', [file.id]);
    await connectionOf(transaction).query('DELETE FROM import_file_chunks WHERE file_id = $1', [file.id]);
    await appendAuditEvent(
      actor,
      { ...entry, selection: { ...entry.selection, rows: checked.rows, inserted: checked.inserts, updated: checked.updates, skippedInvalidRows: checked.invalidRows }, after: { mapping: params.mapping }, outcome: 'success' },
      transaction,
    );
    await transaction.commit();
    committed = true;
    await progress('writing records', checked.inserts + checked.updates, checked.inserts + checked.updates);
    return { ...result, applied: true };
  } catch (error) {
    if (!committed && params.mode === 'apply') {
      await transaction.rollback().catch(() => undefined);
      committed = true;
      await recordFailure(actor, entry, error);
    }
    throw error;
  } finally {
    if (!committed) await transaction.rollback().catch(() => undefined);
  }
}

function checkAllowed(actor: Actor, plan: ImportPlan): void {
  if (decide(actor, 'datasets', 'importCsv') !== true) throw new Forbidden('import.forbidden', 'Your role may not import records; ask a content manager or an admin.');
  const allowed = editableRecordFields(actor);
  const refused = allowed === 'all' ? [] : [...plan.fields].filter((f) => !allowed.includes(f));
  if (refused.length > 0) throw new Forbidden('import.fields_forbidden', `Your role may change only ${allowed === 'all' ? 'any field' : allowed.join(', ') || 'no field'} of a record, not ${refused.join(', ')}: map those columns to "ignore".`);
}

/** Streams the file into the temp table `import_rows` (valid rows only) and checks ids there. */
async function stageRows(transaction: Transaction, file: ImportFileFacts, dataset: Dataset, plan: ImportPlan, progress: ImportProgress) {
  const client = connectionOf(transaction);
  await client.query(`
    CREATE TEMP TABLE import_rows (row_no integer NOT NULL, id bigint, text text, features jsonb, label text, split record_split, tags text[], source text) ON COMMIT DROP;
    CREATE TEMP TABLE import_errors (row_no integer NOT NULL, column_name text NOT NULL, reason text NOT NULL) ON COMMIT DROP`);
  const copy = client.query(copyFrom('COPY import_rows (row_no, id, text, features, label, split, tags, source) FROM STDIN (FORMAT csv)'));
  const copyDone = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  copyDone.catch(() => undefined); // awaited below; a failure before then must not be unhandled
  const errors: RowError[] = [];
  let errorCount = 0;
  let invalidRows = 0;
  let rows = 0;
  let batch = '';
  const parser: Parser = parse({ bom: true, relax_column_count: true });
  // A failure reading the chunks ends the parser (and so the loop) with it; leaving the loop early ends the reading.
  pipeline(readImportFile(file.id), parser).catch(() => undefined);
  let header = true;
  try {
    await progress('checking rows', 0, file.sizeBytes);
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        continue;
      }
      rows += 1;
      if (cells.every((cell) => cell.trim() === '')) continue; // a blank line: counted, not imported
      const rowNumber = rows + 1; // the header is row 1
      if (rows > MAX_IMPORT_ROWS) {
        throw new InvalidInput('import.too_many_rows', `"${file.fileName}" has more than ${MAX_IMPORT_ROWS.toLocaleString('en')} rows: split it into several files.`);
      }
      const read =
        cells.length > file.columns.length
          ? { row: null, errors: [{ row: rowNumber, column: '(row)', reason: `it has ${cells.length} cells but the header names ${file.columns.length} columns: quote cells that contain commas` }] }
          : readImportRow(cells, rowNumber, plan, dataset);
      if (read.row) batch += copyLine(rowNumber, read.row);
      else {
        invalidRows += 1;
        errorCount += read.errors.length;
        for (const error of read.errors) if (errors.length < LISTED_ERRORS) errors.push(error);
      }
      if (batch.length >= COPY_BATCH_BYTES) {
        if (!copy.write(batch)) await once(copy, 'drain');
        batch = '';
        await progress('checking rows', parser.info.bytes, file.sizeBytes);
      }
    }
  } catch (error) {
    copy.destroy();
    // Every csv-parse error (its codes are not all CSV_-prefixed) is the file's fault: say where and why.
    if (isCsvError(error)) throw badCsv(file.fileName, error, file.columns);
    throw error;
  }
  copy.end(batch);
  await copyDone;
  await progress('checking ids', file.sizeBytes, file.sizeBytes);
  // Ids must name a (not deleted) record of this dataset, once per file.
  await client.query(
    `INSERT INTO import_errors (row_no, column_name, reason)
     SELECT s.row_no, $2, 'there is no record ' || s.id || ' in dataset ' || $3 || ': leave the id empty to add a new record'
       FROM import_rows s WHERE s.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = s.id AND r.dataset_id = $1 AND r.deleted_at IS NULL)
     UNION ALL
     SELECT d.row_no, $2, 'record ' || d.id || ' is already updated by row ' || d.first_row || ': give each id once'
       FROM (SELECT row_no, id, min(row_no) OVER (PARTITION BY id) AS first_row FROM import_rows WHERE id IS NOT NULL) d WHERE d.row_no <> d.first_row`,
    [dataset.id, plan.columns.find((c) => c.target === 'id')?.column ?? 'id', dataset.name],
  );
  const idErrors = await client.query<{ row_no: number; column_name: string; reason: string }>('SELECT row_no, column_name, reason FROM import_errors ORDER BY row_no LIMIT $1', [LISTED_ERRORS]);
  const [idCounts] = (await client.query<{ errors: number; rows: number }>('SELECT count(*)::int AS errors, count(DISTINCT row_no)::int AS rows FROM import_errors')).rows;
  await client.query('DELETE FROM import_rows WHERE row_no IN (SELECT row_no FROM import_errors)');
  const [counts] = (await client.query<{ inserts: number; updates: number }>('SELECT count(*) FILTER (WHERE id IS NULL)::int AS inserts, count(id)::int AS updates FROM import_rows')).rows;
  const allErrors = [...errors, ...idErrors.rows.map((e) => ({ row: e.row_no, column: e.column_name, reason: e.reason }))].sort((a, b) => a.row - b.row).slice(0, LISTED_ERRORS);
  return {
    rows,
    inserts: counts!.inserts,
    updates: counts!.updates,
    invalidRows: invalidRows + idCounts!.rows,
    errorCount: errorCount + idCounts!.errors,
    errors: allErrors,
  };
}

/** Inserts the staged new records and updates the matched ones: mapped fields only, empty cells leave a value as it was. */
async function writeRecords(transaction: Transaction, dataset: Dataset, plan: ImportPlan): Promise<void> {
  const client = connectionOf(transaction);
  await client.query(
    `INSERT INTO records (dataset_id, text, features, label, split, tags, source, created_at, updated_at)
     SELECT $1, text, features, label, coalesce(split, 'train'), coalesce(tags, '{}'), source, now(), now() FROM import_rows WHERE id IS NULL ORDER BY row_no`,
    [dataset.id],
  );
  const set = [...plan.fields].map((field) =>
    field === 'features' ? `features = CASE WHEN s.features IS NULL THEN r.features ELSE coalesce(r.features, '{}') || jsonb_strip_nulls(s.features) END` : `${field} = coalesce(s.${field}, r.${field})`,
  );
  if (plan.hasId) {
    await client.query(`UPDATE records r SET ${[...set, 'updated_at = now()'].join(', ')} FROM import_rows s WHERE s.id IS NOT NULL AND r.id = s.id AND r.dataset_id = $1 AND r.deleted_at IS NULL`, [dataset.id]);
  }
}

/** One line of COPY's CSV format: every value quoted (so `\.` or an empty string stay data), NULL as nothing. */
function copyLine(rowNumber: number, row: ImportRow): string {
  const tags = row.tags === null ? null : `{${row.tags.map((t) => `"${t.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  const values = [String(rowNumber), row.id === null ? null : String(row.id), row.text, row.features === null ? null : JSON.stringify(row.features), row.label, row.split, tags, row.source];
  return `${values.map((v) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`)).join(',')}\n`;
}
