import type { Action, ActionResponse } from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { auditFilterFromQuery } from '../../../src/audit/audit-filter.js';
import { exportAuditEvents, type ExportFormat } from '../../../src/audit/export-audit-events.js';
import { Forbidden } from '../../../src/errors/domain-error.js';
import { logger } from '../../../src/server/logger.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/** "Export" on the audit log: a filter form whose links download from the streaming route below. */
export const exportAudit: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Download',
  component: Components.ExportAudit,
  handler: async () => ({}),
};

const TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

/** GET /admin/exports/audit-events.(csv|jsonl)?filters.…: the filtered log, streamed, itself audited. */
export async function sendAuditExport(req: Request, res: Response, next: NextFunction) {
  const format = req.params.format as ExportFormat;
  if (!(format in TYPES)) {
    res.status(404).json({ error: 'not_found', message: 'Export as audit-events.csv or audit-events.jsonl.' });
    return;
  }
  let filter;
  try {
    filter = auditFilterFromQuery(req.query as Record<string, unknown>);
  } catch (error) {
    if (!(error instanceof ZodError)) return next(error);
    res.status(400).json({ error: 'invalid_filter', message: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    return;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  res.set({ 'Content-Type': TYPES[format], 'Content-Disposition': `attachment; filename="audit-events-${stamp}.${format}"`, 'Cache-Control': 'no-store' });
  try {
    await exportAuditEvents(actorOf(req.session.adminUser), filter, format, res);
    res.end();
  } catch (error) {
    if (error instanceof Forbidden && !res.headersSent) {
      res.status(403).set('Content-Type', 'application/json').json({ error: 'forbidden', message: error.message });
      return;
    }
    // Part of the file may be out: end the connection abruptly so the download shows as failed, not complete.
    logger.error({ err: error }, 'audit export failed');
    if (res.headersSent) res.destroy(error as Error);
    else next(error);
  }
}
