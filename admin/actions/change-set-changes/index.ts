import type { ActionContext, ActionRequest, ActionResponse, After } from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import * as z from 'zod';
import { ZodError } from 'zod';
import { decide } from '../../../src/access/decide.js';
import { DomainError } from '../../../src/errors/domain-error.js';
import { changeSetRows } from '../../../src/records/history/change-set-rows.js';
import { exportChangeSet } from '../../../src/records/history/export-change-set.js';
import type { ChangeSetPage } from '../../components/change-set-view.js';
import { actorOf } from '../../current-admin.js';
import { isDownloadFormat, streamDownload } from '../stream-download.js';

const ChangesQuery = z.object({ changesPage: z.coerce.number().int().positive().max(1_000_000) });
/** Records per page of the "Changes" panel. */
const PER_PAGE = 50;

/**
 * The audit event's `show` answers, when asked with `?changesPage=N`, a page of the event's change-set
 * beside the event: whoever may open the event may read its changes (the same rule and row filter),
 * and nobody else. The "Changes" panel (components/ChangeSetChanges.tsx) pages through it.
 */
export const withChangeSetPage: After<ActionResponse> = async (
  response: ActionResponse,
  request: ActionRequest,
  context: ActionContext,
) => {
  if (request.query?.changesPage === undefined || !context.record) return response;
  try {
    const { changesPage: page } = ChangesQuery.parse(request.query);
    const changeSetId = Number(context.record.params['changeSet.id']);
    if (!Number.isInteger(changeSetId) || changeSetId <= 0) return response;
    const actor = actorOf(context.currentAdmin);
    const mayRevert = decide(actor, 'records', 'revert') === true;
    const changes: ChangeSetPage = {
      ...(await changeSetRows(actor, changeSetId, { page, perPage: PER_PAGE })),
      revert: {
        allowed: mayRevert,
        reason: mayRevert
          ? null
          : 'Your role may read this change-set but not revert it: a content manager or an admin can.',
      },
    };
    return { ...response, changes };
  } catch (error) {
    if (error instanceof ZodError)
      return { ...response, notice: { type: 'error', message: 'changesPage must be a page number: 1, 2, …' } };
    if (error instanceof DomainError) return { ...response, notice: { type: 'error', message: error.message } };
    throw error;
  }
};

/** GET /admin/exports/change-sets/:id.(csv|jsonl): every row of a change-set, streamed; the export is audited. */
export async function sendChangeSetExport(req: Request, res: Response, next: NextFunction) {
  const { format } = req.params;
  const id = Number(req.params.id);
  if (!isDownloadFormat(format) || !Number.isInteger(id) || id <= 0) {
    res
      .status(404)
      .json({ error: 'not_found', message: 'Export a change-set as change-sets/ID.csv or change-sets/ID.jsonl.' });
    return;
  }
  await streamDownload(res, next, `change-set-${id}`, format, () =>
    exportChangeSet(actorOf(req.session.adminUser), id, format, res),
  );
}
