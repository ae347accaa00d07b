import type { Action, ActionResponse } from 'adminjs';
import { listDeletedRecords, restoreRecords } from '../../../src/records/restore-records.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/** "Restore deleted" (admins): the recently deleted records, pick and restore. */
export const restoreDeleted: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'RotateCcw',
  component: Components.RestoreRecords,
  handler: actionHandler(async (request, _response, { currentAdmin }) => {
    const actor = actorOf(currentAdmin);
    if (request.method !== 'post') {
      const datasetId = Number(request.query?.datasetId) || undefined;
      return listDeletedRecords(actor, { datasetId });
    }
    const ids = String(request.payload?.ids ?? '')
      .split(',')
      .filter(Boolean);
    const restored = await restoreRecords(actor, { ids });
    return {
      notice: { type: 'success', message: `Restored ${restored} record${restored === 1 ? '' : 's'}.` },
      ...(await listDeletedRecords(actor)),
    };
  }),
};
