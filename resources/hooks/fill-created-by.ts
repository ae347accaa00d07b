import type { ActionContext, ActionRequest } from 'adminjs';

/** Sets the creator to the signed-in user on the server, whatever the form sent. */
export function fillCreatedBy(column: string) {
  return async (request: ActionRequest, context: ActionContext): Promise<ActionRequest> => {
    if (request.method === 'get') return request;
    return { ...request, payload: { ...request.payload, [column]: context.currentAdmin?.id } };
  };
}
