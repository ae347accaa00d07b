import type { Action, ActionResponse } from 'adminjs';
import {
  previewRestoreVersion,
  restoreRecordVersion,
  RestoreVersionRequest,
} from '../../../src/records/history/restore-record-version.js';
import { actionHandler } from '../../action-handler.js';
import type { RestorePreviewView } from '../../components/change-set-view.js';
import { actorOf } from '../../current-admin.js';

/**
 * "Restore to this version" from a record's History panel: GET ?changeSetId=N previews the difference
 * between the record now and right after that change; POST {changeSetId} restores it (one change-set
 * of its own, audited). The service checks the role and its fields, and audits a refusal.
 */
export const restoreVersionAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'RotateCcw',
  isVisible: false,
  handler: actionHandler(async (request, _response, { record, currentAdmin }) => {
    const actor = actorOf(currentAdmin);
    const recordId = Number(record!.id());
    const base = { record: record!.toJSON(currentAdmin) };
    if (request.method !== 'post') {
      const { changeSetId } = RestoreVersionRequest.parse(request.query ?? {});
      const preview: RestorePreviewView = await previewRestoreVersion(actor, recordId, changeSetId);
      return { ...base, preview };
    }
    const { changeSetId } = RestoreVersionRequest.parse(request.payload ?? {});
    const result = await restoreRecordVersion(actor, recordId, changeSetId);
    return {
      ...base,
      notice: {
        type: 'success',
        message: `Record ${recordId} restored (${result.fields.join(', ')}), as change-set #${result.changeSetId}.`,
      },
    };
  }),
};
