import { ValidationError, type ActionContext, type ActionRequest } from 'adminjs';
import { editableRecordFields } from '../../src/records/editable-record-fields.js';
import { actorOf } from '../../admin/current-admin.js';

/**
 * Field-level access for record edits: a data scientist may relabel a record but not rewrite its
 * input. The form still shows every field; the server refuses a change to any other.
 */
export async function limitRecordEditsByRole(request: ActionRequest, context: ActionContext): Promise<ActionRequest> {
  if (request.method === 'get' || !context.record) return request;
  const actor = actorOf(context.currentAdmin);
  const allowed = editableRecordFields(actor);
  if (allowed === 'all') return request;
  const current = context.record.params;
  const normalise = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  const changed = Object.keys(request.payload ?? {}).filter(
    (key) => normalise(request.payload?.[key]) !== normalise(current[key]) && !allowed.includes(key.split('.')[0]!),
  );
  if (changed.length === 0) return request;
  const message = `Your role may change only: ${allowed.join(', ')}.`;
  throw new ValidationError(Object.fromEntries(changed.map((key) => [key, { message }])), { message, type: 'forbidden_field' });
}
