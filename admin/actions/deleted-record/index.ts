import type { Action, ActionResponse } from 'adminjs';
import * as z from 'zod';
import { NotFound } from '../../../src/errors/domain-error.js';
import { findDeletedRecord, listRecentlyDeleted } from '../../../src/records/deleted-record.js';
import { restoreRecords } from '../../../src/records/restore-records.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

const DeletedQuery = z.object({ recordId: z.coerce.number().int().positive().optional() });
const RestoreOne = z.object({ recordId: z.coerce.number().int().positive() });

/**
 * "Deleted records": the recent deletions, when and by whom, with Restore for the roles that may. A
 * deleted record's URL leads here with ?recordId= (admin/deleted-record-redirect.ts), which puts
 * "Record N was deleted on … by …" on top instead of AdminJS's "not found".
 */
export const deletedRecordsAction: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Trash2',
  component: Components.DeletedRecord,
  handler: actionHandler(async (request, _response, { currentAdmin, h }) => {
    const actor = actorOf(currentAdmin);
    if (request.method !== 'post') {
      const { recordId } = DeletedQuery.parse(request.query ?? {});
      const deleted = recordId === undefined ? null : await findDeletedRecord(actor, recordId);
      if (recordId !== undefined && !deleted)
        throw new NotFound('record.not_deleted', `Record ${recordId} is not deleted: open it from Records.`);
      return { deleted, records: await listRecentlyDeleted(actor) };
    }
    const { recordId } = RestoreOne.parse(request.payload ?? {});
    await restoreRecords(actor, { ids: [recordId] });
    return {
      notice: { type: 'success', message: `Record ${recordId} is restored.` },
      redirectUrl: h.recordActionUrl({ resourceId: 'records', recordId: String(recordId), actionName: 'show' }),
    };
  }),
};
