import type { ActionRequest, Before } from 'adminjs';
import { listPageSizeOf } from '../../src/users/list-page-size.js';
import { actorOf } from '../current-admin.js';

/**
 * Before every list: a request without `perPage` gets the rows per page the person chose. AdminJS's
 * pagination links drop `perPage`, so the choice has to live on the server, not in the URL.
 */
export const applyListPageSize: Before = async (request: ActionRequest, context) => {
  if (request.query?.perPage !== undefined) return request;
  const actor = actorOf(context.currentAdmin);
  if (actor.type !== 'user') return request;
  const size = await listPageSizeOf(actor.id);
  return size === null ? request : { ...request, query: { ...request.query, perPage: String(size) } };
};
