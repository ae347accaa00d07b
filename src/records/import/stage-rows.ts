import type pg from 'pg';
import type { Transaction } from 'sequelize';
import type { Dataset } from '../../../models/index.js';
import { connectionOf } from '../../db/transaction-connection.js';
import { InvalidInput } from '../../errors/domain-error.js';
import { readCsvDataRows } from './csv-data-rows.js';
import type { ImportPlan } from './import-mapping.js';
import { readImportRow, type RowError } from './read-import-row.js';
import { firstErrorsByRow, LISTED_ERRORS, RowErrorTally } from './row-error-tally.js';
import { StagedRowCopy } from './staged-row-copy.js';
import { countStagedRows, createStagingTables, removeRowsWithBadIds } from './staging-tables.js';
import type { ImportFileFacts } from './stored-import-files.js';

/** Rows the importer accepts per file (the dry run says so rather than stopping mid-file). */
export const MAX_IMPORT_ROWS = 1_000_000;

export type ImportProgress = (phase: string, done: number, total: number) => Promise<void>;

/** What checking a file found; the rows that would be written are staged in `import_rows`. */
export interface StagedRows {
  rows: number;
  inserts: number;
  updates: number;
  /** Rows with an id whose values the record has already: not written. */
  unchanged: number;
  invalidRows: number;
  errorCount: number;
  /** The first LISTED_ERRORS errors by row. */
  errors: RowError[];
}

/**
 * Streams the file into the temp table `import_rows` (valid rows only) and checks ids there. Memory
 * stays at a chunk and a batch, whatever the file's size.
 */
export async function stageRows(
  transaction: Transaction,
  file: ImportFileFacts,
  dataset: Dataset,
  plan: ImportPlan,
  progress: ImportProgress,
): Promise<StagedRows> {
  const client = connectionOf(transaction);
  await createStagingTables(client);
  const read = await copyValidRows(client, file, dataset, plan, progress);
  await progress('checking ids', file.sizeBytes, file.sizeBytes);
  const idErrors = await removeRowsWithBadIds(
    client,
    dataset,
    plan.columns.find((c) => c.target === 'id')?.column ?? 'id',
    LISTED_ERRORS,
  );
  const { inserts, updates, unchanged } = await countStagedRows(client, plan);
  return {
    rows: read.rows,
    inserts,
    updates,
    unchanged,
    invalidRows: read.errors.invalidRows + idErrors.invalidRows,
    errorCount: read.errors.errorCount + idErrors.errorCount,
    errors: firstErrorsByRow([...read.errors.listed, ...idErrors.listed]),
  };
}

/** Checks each row with the console's rules (readImportRow) and COPYs the valid ones; counts the rest. */
async function copyValidRows(
  client: pg.Client,
  file: ImportFileFacts,
  dataset: Dataset,
  plan: ImportPlan,
  progress: ImportProgress,
): Promise<{ rows: number; errors: RowErrorTally }> {
  const copy = new StagedRowCopy(client);
  const errors = new RowErrorTally();
  let rows = 0;
  try {
    await progress('checking rows', 0, file.sizeBytes);
    for await (const { cells, rowNumber, bytesRead } of readCsvDataRows(file)) {
      rows += 1;
      if (cells.every((cell) => cell.trim() === '')) continue; // a blank line: counted, not imported
      if (rows > MAX_IMPORT_ROWS) {
        throw new InvalidInput(
          'import.too_many_rows',
          `"${file.fileName}" has more than ${MAX_IMPORT_ROWS.toLocaleString('en')} rows: split it into several files.`,
        );
      }
      const read = readImportRow(cells, rowNumber, plan, dataset);
      if (!read.row) errors.addInvalidRow(read.errors);
      else if (copy.add(rowNumber, read.row)) {
        await copy.send();
        await progress('checking rows', bytesRead, file.sizeBytes);
      }
    }
  } catch (error) {
    copy.abort();
    throw error;
  }
  await copy.finish();
  return { rows, errors };
}
