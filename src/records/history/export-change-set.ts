import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Actor } from '../../access/actor.js';
import { recordFailure, withAudit } from '../../audit/with-audit.js';
import { changeSetInfo, readRows, type ChangeSetRow } from './change-set-rows.js';

export type ChangeSetExportFormat = 'csv' | 'jsonl';

/** CSV columns: one line per changed field of each record (a created record: one line, no field). */
export const CHANGE_SET_CSV_COLUMNS = ['recordId', 'kind', 'field', 'before', 'after'] as const;
const PAGE = 2_000;

/**
 * Streams every row of a change-set, in record id order, as CSV (one line per record and field) or
 * JSON lines (one per record: recordId, kind, before, after), a page at a time by record id
 * (constant memory at any size; waits when the client reads slowly). Audited (change_sets.export)
 * before the first byte. Returns the number of records written.
 */
export async function exportChangeSet(
  actor: Actor,
  changeSetId: number,
  format: ChangeSetExportFormat,
  out: Writable,
): Promise<number> {
  const selection = { changeSetId, format };
  try {
    await changeSetInfo(actor, changeSetId);
  } catch (error) {
    await recordFailure(actor, { action: 'change_sets.export', resource: 'records', selection }, error);
    throw error;
  }
  await withAudit(actor, { action: 'change_sets.export', resource: 'records' }, async (_transaction, audit) =>
    audit.note({ selection }),
  );
  const write = async (chunk: string) => {
    if (chunk !== '' && !out.write(chunk)) await once(out, 'drain');
  };
  if (format === 'csv') await write(stringify([CHANGE_SET_CSV_COLUMNS]));
  let after = 0;
  let count = 0;
  for (;;) {
    const rows = await readRows(changeSetId, { limit: PAGE, after });
    if (rows.length === 0) break;
    await write(format === 'csv' ? csvLines(rows) : rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    count += rows.length;
    after = rows.at(-1)!.recordId;
  }
  return count;
}

function csvLines(rows: readonly ChangeSetRow[]): string {
  const lines = rows.flatMap((row) =>
    row.fields.length === 0
      ? [[row.recordId, row.kind, '', '', '']]
      : row.fields.map((field) => [row.recordId, row.kind, field, cell(row.before[field]), cell(row.after[field])]),
  );
  return stringify(lines, { escape_formulas: true });
}

/** A value in a CSV cell: text as it is, anything else (numbers, lists, objects, null) as JSON. */
function cell(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
