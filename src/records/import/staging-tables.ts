import type pg from 'pg';
import type { Dataset } from '../../../models/index.js';
import type { ImportPlan } from './import-mapping.js';
import type { RowError } from './read-import-row.js';
import { changesRecordSql } from './write-staged-records.js';

/**
 * The temp tables an import checks its rows in: `import_rows` (the valid rows, as StagedRowCopy
 * writes them) and `import_errors` (what only the database can tell). Dropped when the transaction
 * ends, whichever way.
 */
export async function createStagingTables(client: pg.Client): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE import_rows (row_no integer NOT NULL, id bigint, text text, features jsonb, label text, split record_split, tags text[], source text) ON COMMIT DROP;
    CREATE TEMP TABLE import_errors (row_no integer NOT NULL, column_name text NOT NULL, reason text NOT NULL) ON COMMIT DROP`);
}

export interface IdErrors {
  /** The first `listed` errors by row. */
  listed: RowError[];
  errorCount: number;
  invalidRows: number;
}

/**
 * Ids must name a (not deleted) record of this dataset, once per file. The rows that fail are taken
 * out of `import_rows`; their errors are counted and the first `listed` returned.
 */
export async function removeRowsWithBadIds(
  client: pg.Client,
  dataset: Dataset,
  idColumn: string,
  listed: number,
): Promise<IdErrors> {
  await client.query(
    `INSERT INTO import_errors (row_no, column_name, reason)
     SELECT s.row_no, $2, 'there is no record ' || s.id || ' in dataset ' || $3 || ': leave the id empty to add a new record'
       FROM import_rows s WHERE s.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = s.id AND r.dataset_id = $1 AND r.deleted_at IS NULL)
     UNION ALL
     SELECT d.row_no, $2, 'record ' || d.id || ' is already updated by row ' || d.first_row || ': give each id once'
       FROM (SELECT row_no, id, min(row_no) OVER (PARTITION BY id) AS first_row FROM import_rows WHERE id IS NOT NULL) d WHERE d.row_no <> d.first_row`,
    [dataset.id, idColumn, dataset.name],
  );
  const first = await client.query<{ row_no: number; column_name: string; reason: string }>(
    'SELECT row_no, column_name, reason FROM import_errors ORDER BY row_no LIMIT $1',
    [listed],
  );
  const [counts] = (
    await client.query<{ errors: number; rows: number }>(
      'SELECT count(*)::int AS errors, count(DISTINCT row_no)::int AS rows FROM import_errors',
    )
  ).rows;
  await client.query('DELETE FROM import_rows WHERE row_no IN (SELECT row_no FROM import_errors)');
  return {
    listed: first.rows.map((e) => ({ row: e.row_no, column: e.column_name, reason: e.reason })),
    errorCount: counts!.errors,
    invalidRows: counts!.rows,
  };
}

/** What applying would do: rows without an id are inserted, rows with one update that record unless they would change nothing. */
export async function countStagedRows(
  client: pg.Client,
  plan: ImportPlan,
): Promise<{ inserts: number; updates: number; unchanged: number }> {
  if (!plan.hasId) {
    // Every row is new: no need to look at the records (a join could read the whole table).
    const [only] = (await client.query<{ inserts: number }>('SELECT count(*)::int AS inserts FROM import_rows')).rows;
    return { inserts: only!.inserts, updates: 0, unchanged: 0 };
  }
  const changes = changesRecordSql(plan);
  const [counts] = (
    await client.query<{ inserts: number; updates: number; unchanged: number }>(
      `SELECT count(*) FILTER (WHERE s.id IS NULL)::int AS inserts,
              count(*) FILTER (WHERE s.id IS NOT NULL AND ${changes})::int AS updates,
              count(*) FILTER (WHERE s.id IS NOT NULL AND NOT ${changes})::int AS unchanged
         FROM import_rows s LEFT JOIN records r ON r.id = s.id`,
    )
  ).rows;
  return counts!;
}
