import type { Action, ActionResponse } from 'adminjs';
import { decide } from '../../../src/access/decide.js';
import { positiveInteger } from '../../../src/charts/chart-choices.js';
import { driftReport } from '../../../src/monitoring/drift/drift-report.js';
import { actionHandler } from '../../action-handler.js';
import { actorOf } from '../../current-admin.js';
import { Components } from '../../components.js';

/**
 * "Drift" on a model: a version's live records and sampled predictions against its training rows
 * (`?version=N`, default production): PSI and KS per feature, category shares, predicted labels, the
 * flag by the model's thresholds. Read-only; "Queue this slice for review" posts to /api/v1/review-queues,
 * the thresholds form (roles with models.driftSettings) patches /api/v1/models/{name}/drift-thresholds.
 */
export const driftAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Activity',
  component: Components.DriftReport,
  showInDrawer: false,
  handler: actionHandler(async (request, _response, { record, currentAdmin }) => {
    const version = positiveInteger(request.query?.version);
    const actor = actorOf(currentAdmin);
    const report = await driftReport(actor, {
      model: Number(record!.id()),
      ...(version === undefined ? {} : { version }),
    });
    // Only shows or hides the thresholds form: the PATCH route checks models.driftSettings itself.
    const mayChangeThresholds = decide(actor, 'models', 'driftSettings') === true;
    return { record: record!.toJSON(currentAdmin), report, mayChangeThresholds };
  }),
};
