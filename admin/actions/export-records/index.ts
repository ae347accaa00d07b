import type AdminJS from 'adminjs';
import { Filter, flat, type Action, type ActionResponse } from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { decide } from '../../../src/access/decide.js';
import type { Actor } from '../../../src/access/actor.js';
import { exportRecords, type RecordExportQuery } from '../../../src/records/export-records.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';
import { ConsoleResource } from '../../adapter/console-resource.js';
import { isDownloadFormat, streamDownload } from '../stream-download.js';

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

/** The list view the request describes: its filters (plus the role's row filter) as a WHERE, and its sort. */
function listView(admin: AdminJS, req: Request, actor: Actor): RecordExportQuery {
  const resource = admin.findResource('records');
  // Only the console's adapter knows the records' custom filters and checks each filter's value.
  if (!(resource instanceof ConsoleResource))
    throw new Error('The records resource is not a ConsoleResource: see resources/record.resource.ts.');
  const query = flat.unflatten<unknown, { filters?: Record<string, unknown>; sortBy?: string; direction?: string }>(
    req.query,
  );
  const filters = { ...(query.filters ?? {}) };
  const rowFilter = decide(actor, 'records', 'list');
  if (typeof rowFilter === 'object') Object.assign(filters, rowFilter);
  return {
    where: resource.whereFor(new Filter(filters, resource)),
    sort: { by: String(query.sortBy ?? 'id'), direction: query.direction === 'asc' ? 'asc' : 'desc' },
    describe: { filters },
  };
}

/**
 * GET /admin/exports/records.(csv|jsonl)?filters.…&sortBy=…&direction=…: the records of the list
 * view as the user sees it (same filter rules as the list, plus the role's row filter), streamed.
 */
export function sendRecordsExport(admin: AdminJS) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const { format } = req.params;
    if (!isDownloadFormat(format)) {
      res.status(404).json({ error: 'not_found', message: 'Export as records.csv or records.jsonl.' });
      return;
    }
    const actor = actorOf(req.session.adminUser);
    await streamDownload(res, next, 'records', format, () =>
      exportRecords(actor, listView(admin, req, actor), format, res),
    );
  };
}
