import type { Action, ActionResponse } from 'adminjs';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/** "Promote": point an alias (production, staging, …) of this version's model at this version. */
export const promote: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'ArrowUp',
  component: Components.PromoteVersion,
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }) => {
    if (request.method !== 'post') return { record: record!.toJSON(currentAdmin) };
    const result = await promoteAlias(actorOf(currentAdmin), {
      versionId: record!.id(),
      alias: request.payload?.alias as string,
    });
    const moved = result.previousVersion === null ? 'now' : `moved from v${result.previousVersion} to`;
    return {
      record: record!.toJSON(currentAdmin),
      notice: { type: 'success', message: `${result.model}: "${result.alias}" ${moved} v${result.version}.` },
      redirectUrl: h.resourceUrl({ resourceId: 'modelAliases', search: '?refresh=true' }),
    };
  }),
};
