import {
  flat,
  ValidationError,
  type Action,
  type ActionContext,
  type ActionRequest,
  type ActionResponse,
  type CurrentAdmin,
  type LayoutElement,
  type PropertyErrors,
} from 'adminjs';
import { DomainError, InvalidInput, NotFound } from '../../../src/errors/domain-error.js';
import { refusalMessage } from '../../../src/access/refusal-message.js';
import { editableRecordFields } from '../../../src/records/editable-record-fields.js';
import { createRecord, RECORD_FIELDS, updateRecord } from '../../../src/records/save-record.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/**
 * A record's "New" and "Edit" in the console: the form's fields go to the same service as the API's
 * POST/PATCH /api/v1/records (createRecord/updateRecord), so the role's fields, the dataset's feature
 * schema and label set, the error codes and the audit event are the API's. AdminJS's generic
 * new/edit are not used for records.
 */

const FIELD_NAMES: ReadonlySet<string> = new Set(RECORD_FIELDS);
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The record fields of an AdminJS payload, unflattened (`features.body_mass_g` → features, `tags.0` →
 * tags). The edit form sends every param of the record back (id, dates, the prediction…): only the
 * record's own fields are read; the service decides which of those changed and whether the role may.
 */
export function submittedFields(payload: Record<string, unknown> | undefined): {
  fields: Record<string, unknown>;
  flatFields: Record<string, unknown>;
} {
  const flatFields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload ?? {})) {
    const segments = key.split('.');
    if (!FIELD_NAMES.has(segments[0]!)) continue;
    if (segments.some((segment) => UNSAFE_SEGMENTS.has(segment))) {
      throw new InvalidInput('record.invalid', `"${key}" is not a field of a record.`, {
        [key]: 'is not a field of a record',
      });
    }
    flatFields[key] = value;
  }
  return { fields: flat.unflatten<unknown, Record<string, unknown>>(flatFields), flatFields };
}

/** Nested fields whose form editor shows an error beside each entry (AdminJS's key-value editor: `features.body_mass_g`). */
const PER_ENTRY_ERRORS = new Set(['features']);

/**
 * A domain error as AdminJS shows it on the form: a ValidationError's per-field messages (beside a
 * feature's row for `features.body_mass_g`, beside the field for the rest, e.g. `tags` for `tags.2`),
 * the error code as the base error's type, and the values the person typed kept in the form.
 */
function formError(error: DomainError, context: ActionContext, typed: Record<string, unknown>): ActionResponse {
  const propertyErrors: PropertyErrors = {};
  for (const [path, message] of Object.entries(error.fields ?? {})) {
    propertyErrors[path] = { message, type: error.code };
    const top = path.split('.')[0]!;
    if (top === path || PER_ENTRY_ERRORS.has(top)) continue;
    const previous = propertyErrors[top];
    const text = `${path.slice(top.length + 1)}: ${message}`;
    propertyErrors[top] = {
      message: previous && previous.message !== text ? `${previous.message}; ${text}` : text,
      type: error.code,
    };
  }
  const validation = new ValidationError(propertyErrors, { message: error.message, type: error.code });
  const current = context.record?.toJSON(context.currentAdmin);
  return {
    record: {
      ...(current ?? { id: '', title: '', recordActions: [], bulkActions: [], populated: {} }),
      params: { ...(current?.params ?? {}), ...typed },
      populated: current?.populated ?? {},
      baseError: validation.baseError,
      errors: validation.propertyErrors,
    },
    notice: { type: 'error', message: error.message },
  };
}

async function saved(context: ActionContext, id: number, message: string): Promise<ActionResponse> {
  const record = await context.resource.findOne(String(id), context);
  return {
    record: record?.toJSON(context.currentAdmin),
    redirectUrl: context.h.recordActionUrl({
      resourceId: context.resource.id(),
      recordId: String(id),
      actionName: 'show',
    }),
    notice: { type: 'success', message },
  };
}

async function save(
  request: ActionRequest,
  context: ActionContext,
  write: (fields: Record<string, unknown>) => Promise<{ id: number }>,
  message: string,
): Promise<ActionResponse> {
  let typed: Record<string, unknown> = {};
  try {
    const submitted = submittedFields(request.payload);
    typed = submitted.flatFields;
    const record = await write(submitted.fields);
    return await saved(context, Number(record.id), message);
  } catch (error) {
    if (error instanceof DomainError) return formError(error, context, typed);
    throw error;
  }
}

/**
 * The fields a role may change in the edit form: all for those who may change all, else a note and
 * the ones they may change (RecordEditForm shows the others read-only).
 */
export function recordEditLayout(currentAdmin?: CurrentAdmin): LayoutElement[] {
  const actor = actorOf(currentAdmin);
  const allowed = editableRecordFields(actor);
  if (allowed === 'all') return [...RECORD_FIELDS];
  const role = currentAdmin?.role ? String(currentAdmin.role).replace('_', ' ') : 'unknown';
  const note =
    allowed.length > 0
      ? `Your role (${role}) may change only the ${allowed.join(', ')} of a record; its other fields are shown read-only. To change those, ask a content manager or an admin.`
      : refusalMessage(actor, 'records', 'edit');
  return [['@MessageBox', { message: note, variant: 'info', mb: 'xl' }], ...allowed];
}

export const newRecordAction: Partial<Action<ActionResponse>> = {
  handler: actionHandler(async (request, _response, context) => {
    if (request.method !== 'post') return {};
    return save(request, context, (fields) => createRecord(actorOf(context.currentAdmin), fields), 'Record created.');
  }),
};

export const editRecordAction: Partial<Action<ActionResponse>> = {
  layout: recordEditLayout,
  // The layout names the editable fields; this form shows the others read-only beside them.
  component: Components.RecordEditForm,
  handler: actionHandler(async (request, _response, context) => {
    const { record, currentAdmin } = context;
    if (!record)
      throw new NotFound(
        'record.not_found',
        `There is no record ${request.params.recordId ?? ''} (or it was deleted).`,
      );
    if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
    return save(
      request,
      context,
      (fields) => updateRecord(actorOf(currentAdmin), Number(record.id()), fields),
      'Record saved.',
    );
  }),
};
