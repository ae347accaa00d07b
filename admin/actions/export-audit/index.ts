import type { Action, ActionResponse } from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { auditFilterFromQuery } from '../../../src/audit/audit-filter.js';
import { exportAuditEvents } from '../../../src/audit/export-audit-events.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';
import { isDownloadFormat, streamDownload } from '../stream-download.js';

/** "Export" on the audit log: a filter form whose links download from the streaming route below. */
export const exportAudit: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Download',
  component: Components.ExportAudit,
  handler: async () => ({}),
};

/** GET /admin/exports/audit-events.(csv|jsonl)?filters.…: the filtered log, streamed, itself audited. */
export async function sendAuditExport(req: Request, res: Response, next: NextFunction) {
  const { format } = req.params;
  if (!isDownloadFormat(format)) {
    res.status(404).json({ error: 'not_found', message: 'Export as audit-events.csv or audit-events.jsonl.' });
    return;
  }
  let filter;
  try {
    filter = auditFilterFromQuery(req.query);
  } catch (error) {
    if (!(error instanceof ZodError)) return next(error);
    res.status(400).json({
      error: 'invalid_filter',
      message: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    });
    return;
  }
  await streamDownload(res, next, 'audit-events', format, () =>
    exportAuditEvents(actorOf(req.session.adminUser), filter, format, res),
  );
}
