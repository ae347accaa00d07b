import type { ActionContext, ActionRequest } from 'adminjs';

/**
 * AdminJS's new/edit write every field in the payload, not only the ones the form shows. Keep only the
 * resource's edit properties, so a crafted request cannot set e.g. a model's creator; server-side
 * fields (a password hash, the creator) are added by the resource's own hooks, which run after this.
 */
export async function onlyEditableFields(request: ActionRequest, context: ActionContext): Promise<ActionRequest> {
  if (request.method === 'get' || !request.payload) return request;
  const editable = new Set(
    context.resource
      .decorate()
      .getProperties({ where: 'edit' })
      .map((p) => p.propertyPath),
  );
  const payload = Object.fromEntries(
    Object.entries(request.payload).filter(([key]) => editable.has(key.split('.')[0]!)),
  );
  return { ...request, payload };
}
