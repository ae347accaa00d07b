import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { Op, type WhereOptions } from 'sequelize';
import { AuditEvent, sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { withRawConnection } from '../db/raw-connection.js';
import { Forbidden } from '../errors/domain-error.js';
import { changeSetLines, changeSetRowLine } from '../records/history/change-set-digest.js';
import { auditFilterWhere, describeAuditFilter, type AuditFilter } from './audit-filter.js';
import type { ChangeSetReference } from './hash-chain.js';
import { recordFailure, withAudit } from './with-audit.js';

export type ExportFormat = 'csv' | 'jsonl';

const COLUMNS = [
  'seq',
  'at',
  'actorType',
  'actorId',
  'actorLabel',
  'actorRole',
  'action',
  'resource',
  'recordIds',
  'selection',
  'before',
  'after',
  'outcome',
  'reason',
  'ip',
  'userAgent',
  'requestId',
  'prevHash',
  'hash',
  'changeSet',
] as const;
const PAGE = 2_000;
/** Change-set rows written per chunk (keeps the stream's buffer small). */
const WRITE_BATCH_CHARS = 256 * 1024;

/**
 * Streams the audit events matching `filter`, oldest first, as CSV or JSON lines, in pages by sequence
 * number (constant memory, any size; waits when the client reads slowly). The export itself is audited
 * (audit.export, with the filter) before the first byte is sent. Every column is exported, including
 * the hashes, so an archive can be verified later: event N's prevHash is the boundary hash. JSON lines
 * also carry each event's change-set rows, right after the event.
 */
export async function exportAuditEvents(
  actor: Actor,
  filter: AuditFilter,
  format: ExportFormat,
  out: Writable,
): Promise<number> {
  if (decide(actor, 'auditEvents', 'export') !== true) {
    const error = new Forbidden('audit.export_forbidden', 'Only auditors and admins export the audit log.');
    await recordFailure(
      actor,
      { action: 'audit.export', resource: 'auditEvents', selection: { format, filter: describeAuditFilter(filter) } },
      error,
    );
    throw error;
  }
  await withAudit(actor, { action: 'audit.export', resource: 'auditEvents' }, async (_transaction, audit) => {
    audit.note({ selection: { format, filter: describeAuditFilter(filter) } });
  });
  return writeAuditEvents(auditFilterWhere(filter), format, out);
}

/**
 * Writes the events matching `where`, oldest first, in pages by sequence number; calls `onEvent`
 * with each one as written (e.g. to verify or hash what goes out). Returns how many were written.
 */
export async function writeAuditEvents(
  where: WhereOptions,
  format: ExportFormat,
  out: Writable,
  onEvent: (event: Record<string, unknown>) => void = () => undefined,
): Promise<number> {
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  if (format === 'csv') await write(stringify([COLUMNS]));
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await AuditEvent.findAll({
      where: { [Op.and]: [where, { seq: { [Op.gt]: after } }] },
      order: [['seq', 'ASC']],
      limit: PAGE,
      raw: true,
    });
    if (page.length === 0) break;
    const rows = page.map((event) => serialise(event as unknown as Record<string, unknown>));
    rows.forEach(onEvent);
    if (format === 'csv')
      await write(
        stringify(
          rows.map((row) => COLUMNS.map((column) => cell(row[column]))),
          { escape_formulas: true },
        ),
      );
    else await writeJsonLines(rows, write);
    count += page.length;
    after = Number(page.at(-1)!.seq);
  }
  return count;
}

/**
 * Events as JSON lines, each event with a change-set followed by its rows (the lines its digest
 * covers), so the file proves what each change changed without the database (`verify-audit --file`).
 */
async function writeJsonLines(
  rows: ReadonlyArray<Record<string, unknown>>,
  write: (chunk: string) => Promise<void>,
): Promise<void> {
  let batch = '';
  for (const row of rows) {
    batch += `${JSON.stringify(row)}\n`;
    const changeSet = row.changeSet as ChangeSetReference | null;
    if (changeSet === null) continue;
    await write(batch);
    batch = '';
    await writeChangeSetRows(changeSet.id, write);
  }
  await write(batch);
}

async function writeChangeSetRows(changeSetId: number, write: (chunk: string) => Promise<void>): Promise<void> {
  await withRawConnection(sequelizeOf(), async (client) => {
    let batch = '';
    for await (const line of changeSetLines(client, changeSetId)) {
      batch += `${JSON.stringify(changeSetRowLine(changeSetId, line))}\n`;
      if (batch.length >= WRITE_BATCH_CHARS) {
        await write(batch);
        batch = '';
      }
    }
    await write(batch);
  });
}

function serialise(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    COLUMNS.map((column) => {
      const value = event[column];
      return [column, column === 'seq' ? Number(value) : value instanceof Date ? value.toISOString() : (value ?? null)];
    }),
  );
}

/** A CSV cell: JSON for structured values, empty for null. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
