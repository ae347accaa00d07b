import type { Action, ActionResponse } from 'adminjs';
import { DomainError } from '../../../src/errors/domain-error.js';
import { planRollback, rollbackAlias } from '../../../src/registry/rollback-alias.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';
import type { Confirmation } from '../../components/confirmation.js';

/** "Roll production back from v3 to v2", or why it cannot be (no earlier version). */
async function confirmation(aliasId: number, alias: string): Promise<Confirmation> {
  try {
    const plan = await planRollback(aliasId);
    return {
      title: `Roll ${plan.alias} back from v${plan.fromVersion} to v${plan.toVersion}`,
      body: `${plan.model}'s "${plan.alias}" serves v${plan.fromVersion} now; after this it serves v${plan.toVersion} again. Clients calling it switch at once. To undo, promote v${plan.fromVersion} again.`,
      button: `Roll back to v${plan.toVersion}`,
    };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { title: `Roll ${alias} back`, body: '', button: 'Roll back', problem: error.message };
  }
}

/** "Roll back": move the alias back to the version it pointed at before its latest move. */
export const rollback: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'RotateCcw',
  component: Components.ConfirmAction,
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }) => {
    if (request.method !== 'post')
      return {
        record: record!.toJSON(currentAdmin),
        confirmation: await confirmation(Number(record!.id()), String(record!.params.alias)),
      };
    const result = await rollbackAlias(actorOf(currentAdmin), Number(record!.id()));
    return {
      record: record!.toJSON(currentAdmin),
      notice: {
        type: 'success',
        message: `${result.model}: "${result.alias}" rolled back from v${result.previousVersion} to v${result.version}.`,
      },
      redirectUrl: h.resourceUrl({ resourceId: 'modelAliases', search: '?refresh=true' }),
    };
  }),
};
