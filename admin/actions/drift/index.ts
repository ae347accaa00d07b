import type { Action, ActionResponse } from 'adminjs';
import { positiveInteger } from '../../../src/charts/chart-choices.js';
import { driftReport } from '../../../src/monitoring/drift/drift-report.js';
import { actionHandler } from '../../action-handler.js';
import { actorOf } from '../../current-admin.js';
import { Components } from '../../components.js';

/**
 * "Drift" on a model: a version's live records and sampled predictions against its training rows
 * (`?version=N`, default production): PSI and KS per feature, category shares, predicted labels, the
 * flag by the model's thresholds. Read-only; "Queue this slice for review" posts to /api/v1/review-queues.
 */
export const driftAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Activity',
  component: Components.DriftReport,
  showInDrawer: false,
  handler: actionHandler(async (request, _response, { record, currentAdmin }) => {
    const version = positiveInteger(request.query?.version);
    const report = await driftReport(actorOf(currentAdmin), {
      model: Number(record!.id()),
      ...(version === undefined ? {} : { version }),
    });
    return { record: record!.toJSON(currentAdmin), report };
  }),
};
