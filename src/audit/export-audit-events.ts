import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { Op, type WhereOptions } from 'sequelize';
import { AuditEvent } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { Forbidden } from '../errors/domain-error.js';
import { auditFilterWhere, describeAuditFilter, type AuditFilter } from './audit-filter.js';
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

/**
 * Streams the audit events matching `filter`, oldest first, as CSV or JSON lines, in pages by sequence
 * number (constant memory, any size; waits when the client reads slowly). The export itself is audited
 * (audit.export, with the filter) before the first byte is sent. Every column is exported, including
 * the hashes, so an archive can be verified later: event N's prevHash is the boundary hash.
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
    await write(
      format === 'csv'
        ? stringify(
            rows.map((row) => COLUMNS.map((column) => cell(row[column]))),
            { escape_formulas: true },
          )
        : rows.map((row) => `${JSON.stringify(row)}\n`).join(''),
    );
    count += page.length;
    after = Number(page.at(-1)!.seq);
  }
  return count;
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
