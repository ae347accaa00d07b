import type { Action, ActionResponse } from 'adminjs';
import { Job } from '../../../models/index.js';
import { cancelJob } from '../../../src/jobs/cancel-job.js';
import { describeJob } from '../../../src/jobs/describe-job.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';
import type { Confirmation } from '../../components/confirmation.js';

/** What cancelling this job does, said before it is done. */
async function confirmation(jobId: number): Promise<Confirmation> {
  const job = await Job.findByPk(jobId);
  if (!job)
    return { title: `Cancel job #${jobId}`, body: '', button: 'Cancel job', problem: 'This job no longer exists.' };
  const title = `Cancel job #${job.id} (${await describeJob(job)})`;
  const button = `Cancel job #${job.id}`;
  if (job.status === 'queued')
    return { title, button, body: 'It has not started yet: it is taken off the queue and never runs.' };
  if (job.status === 'running')
    return {
      title,
      button,
      body: 'It is running: it stops at its next step. Work it has already committed stays (scored or imported rows keep their values).',
    };
  return { title, button, body: '', problem: `This job has already ${job.status}: there is nothing to cancel.` };
}

/** "Cancel job": stops a queued job at once, a running one at its next step. */
export const cancel: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'XCircle',
  component: Components.ConfirmAction,
  isVisible: ({ record }) => ['queued', 'running'].includes(String(record?.params.status)),
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }) => {
    if (request.method !== 'post')
      return { record: record!.toJSON(currentAdmin), confirmation: await confirmation(Number(record!.id())) };
    const job = await cancelJob(actorOf(currentAdmin), Number(record!.id()));
    return {
      record: record!.toJSON(currentAdmin),
      notice: {
        type: 'success',
        message:
          job.status === 'cancelled' ? `Job #${job.id} cancelled.` : `Job #${job.id} will stop at its next step.`,
      },
      redirectUrl: h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
    };
  }),
};
