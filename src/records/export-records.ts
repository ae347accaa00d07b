import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import QueryStream from 'pg-query-stream';
import type { WhereOptions } from 'sequelize';
import { DataRecord, sequelizeOf } from '../../models/index.js';
import { selectSql } from '../db/select-sql.js';
import { withRawConnection } from '../db/raw-connection.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { recordFailure, withAudit } from '../audit/with-audit.js';
import { Forbidden } from '../errors/domain-error.js';
import { writeRecordCell } from './record-csv-cells.js';

export type RecordExportFormat = 'csv' | 'jsonl';

/**
 * Exported columns, in order; structured values (features, tags, probabilities) as JSON in CSV cells
 * (record-csv-cells.ts). The importer maps id, text, features, label, split, tags and source back by
 * name and ignores the rest, so an export imports back as no change.
 */
export const RECORD_EXPORT_COLUMNS = [
  'id',
  'datasetId',
  'text',
  'features',
  'label',
  'split',
  'tags',
  'source',
  'predictedLabel',
  'score',
  'probabilities',
  'scoredByVersionId',
  'scoredAt',
  'createdAt',
  'updatedAt',
] as const;

export interface RecordExportQuery {
  where: WhereOptions;
  /** Attribute and direction; the id is added as a tie-breaker. */
  sort: { by: string; direction: 'asc' | 'desc' };
  /** What the audit event says was exported (the list's filters as the user set them). */
  describe: Record<string, unknown>;
}

/**
 * Streams the records matching `query` (soft-deleted ones never) in its order, as CSV or JSON
 * lines: one SELECT read through a server-side cursor (a consistent snapshot, constant memory, any
 * size; it waits when the client reads slowly). The export is audited (records.export) before the
 * first byte, with the filter and sort.
 */
export async function exportRecords(
  actor: Actor,
  query: RecordExportQuery,
  format: RecordExportFormat,
  out: Writable,
): Promise<number> {
  const selection = { format, ...query.describe, sort: query.sort };
  if (decide(actor, 'records', 'export') !== true) {
    const error = new Forbidden('records.export_forbidden', 'Your role may not export records.');
    await recordFailure(actor, { action: 'records.export', resource: 'records', selection }, error);
    throw error;
  }
  await withAudit(actor, { action: 'records.export', resource: 'records' }, async (_transaction, audit) =>
    audit.note({ selection }),
  );

  const sequelize = sequelizeOf();
  const attributes = DataRecord.getAttributes();
  const column = (attribute: string) =>
    (attributes as Record<string, { field?: string }>)[attribute]?.field ?? attribute;
  const own: string[] = RECORD_EXPORT_COLUMNS.filter((name) => name in attributes);
  const sortBy = own.includes(query.sort.by) ? query.sort.by : 'id';
  const direction = query.sort.direction === 'desc' ? 'DESC' : 'ASC';
  const records = selectSql(DataRecord, { attributes: own.map((name) => [column(name), name]), where: query.where });
  // The latest prediction beside each record, probabilities named by the version's labels.
  const sql = `SELECT r.*, p.predicted_label AS "predictedLabel", p.score AS "score",
      (SELECT jsonb_object_agg(l.label, p.probabilities[l.i]) FROM jsonb_array_elements_text(v.output_schema -> 'labels') WITH ORDINALITY AS l(label, i)) AS "probabilities",
      p.model_version_id AS "scoredByVersionId", p.scored_at AS "scoredAt"
    FROM (${records}) AS r
    LEFT JOIN record_predictions p ON p.record_id = r.id
    LEFT JOIN model_versions v ON v.id = p.model_version_id
    ORDER BY r."${sortBy}" ${direction}${sortBy === 'id' ? '' : `, r.id ${direction}`}`;

  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  return withRawConnection(sequelize, async (connection) => {
    let count = 0;
    if (format === 'csv') await write(stringify([RECORD_EXPORT_COLUMNS]));
    const rows = connection.query(new QueryStream(sql, [], { batchSize: 1_000 }));
    let batch: Array<Record<string, unknown>> = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await write(
        format === 'csv'
          ? stringify(batch.map((row) => RECORD_EXPORT_COLUMNS.map((name) => writeRecordCell(row[name]))))
          : batch.map((row) => `${JSON.stringify(serialise(row))}\n`).join(''),
      );
      batch = [];
    };
    for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
      batch.push(row);
      count += 1;
      if (batch.length >= 1_000) await flush();
    }
    await flush();
    return count;
  });
}

function serialise(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    RECORD_EXPORT_COLUMNS.map((name) => [
      name,
      row[name] instanceof Date ? row[name].toISOString() : (row[name] ?? null),
    ]),
  );
}
