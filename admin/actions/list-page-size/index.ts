import type { Action, ActionResponse } from 'adminjs';
import { listPageSizeOf, rememberListPageSize } from '../../../src/users/list-page-size.js';
import { actionHandler } from '../../action-handler.js';
import { actorOf } from '../../current-admin.js';

/**
 * "Rows per page" under every list: GET answers the person's choice (null: the default), POST
 * { perPage } remembers a new one for all their lists. On records because every role may list
 * them; the choice is the person's own.
 */
export const rememberPageSizeAction: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'List',
  isVisible: false,
  handler: actionHandler(async (request, _response, { currentAdmin }) => {
    const actor = actorOf(currentAdmin);
    if (request.method !== 'post') return { perPage: actor.type === 'user' ? await listPageSizeOf(actor.id) : null };
    return { perPage: await rememberListPageSize(actor, request.payload?.perPage) };
  }),
};
