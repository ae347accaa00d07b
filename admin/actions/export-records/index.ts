import AdminJS, { Filter, flat, type Action, type ActionResponse } from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { decide } from '../../../src/access/decide.js';
import { Forbidden } from '../../../src/errors/domain-error.js';
import { exportRecords, type RecordExportFormat } from '../../../src/records/export-records.js';
import { logger } from '../../../src/server/logger.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';
import type { ConsoleResource } from '../../filters/console-resource.js';

/**
 * "Export" on the record list: opens in a drawer over the list, so it sees the list's filters and
 * sort in the URL and offers them as CSV and JSON-lines downloads from the streaming route below.
 */
export const exportRecordsAction: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Download',
  showInDrawer: true,
  component: Components.ExportRecords,
  handler: async () => ({}),
};

const TYPES: Record<RecordExportFormat, string> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

/**
 * GET /admin/exports/records.(csv|jsonl)?filters.…&sortBy=…&direction=…: the records of the list
 * view as the user sees it (same filter rules as the list, plus the role's row filter), streamed.
 */
export function sendRecordsExport(admin: AdminJS) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const format = req.params.format as RecordExportFormat;
    if (!(format in TYPES)) {
      res.status(404).json({ error: 'not_found', message: 'Export as records.csv or records.jsonl.' });
      return;
    }
    try {
      const actor = actorOf(req.session.adminUser);
      const resource = admin.findResource('records') as unknown as ConsoleResource;
      const query = flat.unflatten(req.query as Record<string, unknown>) as { filters?: Record<string, unknown>; sortBy?: string; direction?: string };
      const filters = { ...(query.filters ?? {}) };
      const rowFilter = decide(actor, 'records', 'list');
      if (typeof rowFilter === 'object') Object.assign(filters, rowFilter);
      const filter = new Filter(filters as Record<string, string>, resource as never);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      res.set({ 'Content-Type': TYPES[format], 'Content-Disposition': `attachment; filename="records-${stamp}.${format}"`, 'Cache-Control': 'no-store' });
      await exportRecords(
        actor,
        { where: resource.whereFor(filter), sort: { by: String(query.sortBy ?? 'id'), direction: query.direction === 'asc' ? 'asc' : 'desc' }, describe: { filters } },
        format,
        res,
      );
      res.end();
    } catch (error) {
      if (error instanceof Forbidden && !res.headersSent) {
        res.status(403).set('Content-Type', 'application/json').json({ error: 'forbidden', message: error.message });
        return;
      }
      logger.error({ err: error }, 'records export failed');
      if (res.headersSent) res.destroy(error as Error);
      else next(error);
    }
  };
}
