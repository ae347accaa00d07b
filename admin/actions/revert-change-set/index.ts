import type { Action, ActionResponse } from 'adminjs';
import { BULK_EDIT_JOB_THRESHOLD } from '../../../src/records/bulk-edit.js';
import { previewRevert } from '../../../src/records/history/preview-revert.js';
import { RevertRequest } from '../../../src/records/history/revert-change-set.js';
import { startRevert } from '../../../src/records/history/start-revert.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import type { RevertDoneView, RevertPreviewView } from '../../components/change-set-view.js';
import { actorOf } from '../../current-admin.js';

/** The preview names only the change-set; the choice about conflicts comes with the POST. */
const PreviewQuery = RevertRequest.pick({ changeSetId: true });

/**
 * "Revert…" of a change-set, opened from its audit event or a bulk edit's or an import's job page
 * (`?changeSetId=N`). GET answers the preview; POST {changeSetId, conflicts} reverts: at once when
 * small, else as a job whose progress page opens. The service checks the role and its fields again
 * and audits refusals; nothing here writes.
 */
export const revertChangeSet: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'RotateCcw',
  component: Components.RevertChangeSet,
  handler: actionHandler(async (request, _response, { currentAdmin, h }) => {
    const actor = actorOf(currentAdmin);
    if (request.method !== 'post') {
      if (request.query?.changeSetId === undefined) return {};
      const { changeSetId } = PreviewQuery.parse(request.query);
      const preview: RevertPreviewView = {
        ...(await previewRevert(actor, changeSetId)),
        jobThreshold: BULK_EDIT_JOB_THRESHOLD,
      };
      return { preview };
    }
    const input = RevertRequest.parse(request.payload ?? {});
    const { result, job } = await startRevert(actor, input);
    if (job) {
      return {
        notice: {
          type: 'success',
          message: `Reverting change-set #${input.changeSetId} as job ${job.id}: follow its progress here.`,
        },
        redirectUrl: h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
      };
    }
    const done: RevertDoneView = {
      changeSetId: result.changeSetId,
      reverted: result.reverted,
      skipped: result.skipped,
      alreadyReverted: result.alreadyReverted,
    };
    return {
      done,
      notice: {
        type: 'success',
        message: `Reverted ${result.reverted.toLocaleString('en')} records${result.skipped ? `; ${result.skipped.toLocaleString('en')} changed since were skipped` : ''}.`,
      },
    };
  }),
};
