import type { Action, ActionResponse } from 'adminjs';
import { rollbackAlias } from '../../../src/registry/rollback-alias.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/** "Roll back": move the alias back to the version it pointed at before its latest move. */
export const rollback: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'RotateCcw',
  component: Components.ConfirmAction,
  custom: { question: 'Move this alias back to the version it pointed at before? Clients calling it switch at once.' },
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }) => {
    if (request.method !== 'post') return { record: record!.toJSON(currentAdmin) };
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
