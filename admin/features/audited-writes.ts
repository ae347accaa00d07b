import {
  ACTIONS,
  ValidationError,
  flat,
  type ActionContext,
  type ActionHandler,
  type ActionRequest,
  type ActionResponse,
  type BaseRecord,
  type RecordJSON,
} from 'adminjs';
import { NothingDone, withAudit } from '../../src/audit/with-audit.js';
import { constraintMessage } from '../../src/db/constraint-messages.js';
import { actorOf } from '../current-admin.js';

export const WRITE_ACTIONS = ['new', 'edit', 'delete', 'bulkDelete'] as const;
export type WriteAction = (typeof WRITE_ACTIONS)[number];

const AUDIT_VERB: Record<WriteAction, string> = {
  new: 'create',
  edit: 'update',
  delete: 'delete',
  bulkDelete: 'bulk_delete',
};

/** `modelVersions` → `model_versions`: audit action names are lower_snake dotted paths. */
export const auditResourceName = (resourceId: string) => resourceId.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** AdminJS answered with a validation message: nothing was written, so nothing is recorded. */
class RollBack extends NothingDone {
  constructor(readonly response: ActionResponse) {
    super();
  }
}

/** AdminJS refused the input by throwing: rethrown as it was, with nothing recorded. */
class Refused extends NothingDone {
  constructor(readonly error: ValidationError) {
    super();
  }
}

/**
 * Wraps AdminJS's own handler for a write action so that the write and its audit event commit in one
 * transaction (withAudit; the adapter's queries join it through CLS), with before/after values of the
 * allow-listed fields only. A database constraint violation becomes a validation message, not a 500.
 */
export function auditedWrite(
  resourceId: string,
  action: WriteAction,
  auditedFields: readonly string[],
): ActionHandler<ActionResponse> {
  const original = (ACTIONS[action] as { handler: ActionHandler<ActionResponse> }).handler;
  const auditAction = `${auditResourceName(resourceId)}.${AUDIT_VERB[action]}`;
  const pick = (record: BaseRecord | undefined) => {
    if (!record) return null;
    const params = flat.unflatten<unknown, Record<string, unknown>>(record.params);
    return Object.fromEntries(auditedFields.filter((f) => f in params).map((f) => [f, params[f]]));
  };

  // AdminJS's validation error means "nothing done, show the form again": no event, the caller unwraps it.
  const runOriginal = async (
    request: ActionRequest,
    response: unknown,
    context: ActionContext,
  ): Promise<ActionResponse> => {
    try {
      return await original(request, response, context);
    } catch (error) {
      throw error instanceof ValidationError ? new Refused(error) : error;
    }
  };

  return async (request: ActionRequest, response: unknown, context: ActionContext) => {
    // Only GET reads; AdminJS's own handlers write on any other method.
    if (request.method === 'get') return original(request, response, context);
    const actor = actorOf(context.currentAdmin);
    const before = action === 'bulkDelete' ? (context.records ?? []).map(pick) : pick(context.record);
    const recordIds =
      action === 'bulkDelete'
        ? (context.records ?? []).map((r) => r.id())
        : context.record
          ? [context.record.id()]
          : [];
    try {
      return await withAudit(actor, { action: auditAction, resource: resourceId }, async (_transaction, audit) => {
        audit.note({ recordIds });
        // Every change to records is recorded with its previous values (the database insists).
        if (resourceId === 'records') await audit.trackRecordChanges();
        const result = await runOriginal(request, response, context);
        const errors = (result.record as RecordJSON | undefined)?.errors;
        if (result.notice?.type === 'error' || (errors && Object.keys(errors).length > 0)) throw new RollBack(result);
        const after = action === 'delete' || action === 'bulkDelete' ? null : pick(context.record);
        audit.note({
          recordIds: action === 'new' && context.record ? [context.record.id()] : recordIds,
          before:
            action === 'new'
              ? null
              : action === 'edit'
                ? changedOnly(before as Record<string, unknown>, after)
                : before,
          after: action === 'edit' ? changedOnly(after, before as Record<string, unknown>) : after,
        });
        return result;
      });
    } catch (error) {
      if (error instanceof RollBack) return error.response;
      if (error instanceof Refused) throw error.error;
      const message = constraintMessage(error);
      if (message) throw new ValidationError({}, { message, type: 'constraint' });
      throw error;
    }
  };
}

/** Only the fields that differ: an audit diff, not two copies of the row. */
function changedOnly(
  side: Record<string, unknown> | null,
  other: Record<string, unknown> | null,
): Record<string, unknown> | null {
  if (!side) return null;
  return Object.fromEntries(
    Object.entries(side).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(other?.[key])),
  );
}
