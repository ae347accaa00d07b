import type { Action, ActionResponse } from 'adminjs';
import { cancelJob } from '../../../src/jobs/cancel-job.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/** "Cancel": stops a queued job at once, a running one at its next step. */
export const cancel: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'XCircle',
  component: Components.ConfirmAction,
  custom: { question: 'Cancel this job? A running job stops at its next step; work already committed stays.' },
  isVisible: ({ record }) => ['queued', 'running'].includes(String(record?.params.status)),
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }) => {
    if (request.method !== 'post') return { record: record!.toJSON(currentAdmin) };
    const job = await cancelJob(actorOf(currentAdmin), Number(record!.id()));
    return {
      record: record!.toJSON(currentAdmin),
      notice: {
        type: 'success',
        message: job.status === 'cancelled' ? `Job ${job.id} cancelled.` : `Job ${job.id} will stop at its next step.`,
      },
      redirectUrl: h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
    };
  }),
};
