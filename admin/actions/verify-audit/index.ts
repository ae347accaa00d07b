import type { Action, ActionResponse } from 'adminjs';
import { lastVerification, verifyAndRecord } from '../../../src/audit/verify-and-record.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/**
 * "Verify chain" on the audit log: GET shows the last verification; POST walks the whole chain now
 * (the same check as `npm run cli -- verify-audit`) and records that it did.
 */
export const verifyAudit: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Shield',
  component: Components.VerifyAudit,
  handler: actionHandler(async (request, _response, { currentAdmin }) => {
    if (request.method !== 'post') return { last: await lastVerification() };
    const report = await verifyAndRecord(actorOf(currentAdmin), []);
    return {
      report,
      notice: report.ok
        ? { type: 'success', message: `Audit chain intact: ${report.checked} events verified.` }
        : { type: 'error', message: `Audit chain broken at event ${report.firstBad}: ${report.problem}.` },
    };
  }),
};
