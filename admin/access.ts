import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { decide, isAllowed } from '../src/access/decide.js';
import type { ResourceId } from '../src/access/rules.js';
import { actorOf } from './current-admin.js';
import { auditedWrite, WRITE_ACTIONS, type WriteAction } from './features/audited-writes.js';
import { onlyEditableFields } from './features/only-editable-fields.js';

/** AdminJS's own actions; each is denied unless the rule table names it for the role. */
export const BUILT_IN_ACTIONS = ['list', 'search', 'show', 'new', 'edit', 'delete', 'bulkDelete'] as const;

type AnyAction = Partial<Action<ActionResponse>>;

/**
 * Adapts the rule table to AdminJS: every built-in and custom action of the resource gets
 * `isAccessible` from `decide()` (AdminJS enforces it on the server for every API call and hides what
 * is not accessible), `list`/`search` are scoped by the rule's row filter, and the built-in writes
 * commit with their audit event (features/audited-writes.ts). No resource sets `isAccessible` by hand.
 */
export function withAccess(
  resourceId: ResourceId,
  auditedFields: readonly string[],
  custom: Record<string, AnyAction> = {},
): Record<string, AnyAction> {
  const actions: Record<string, AnyAction> = {};
  for (const name of [...BUILT_IN_ACTIONS, ...Object.keys(custom)]) {
    const action: AnyAction = {
      ...((WRITE_ACTIONS as readonly string[]).includes(name)
        ? { handler: auditedWrite(resourceId, name as WriteAction, auditedFields) }
        : {}),
      ...custom[name],
      isAccessible: ({ currentAdmin, record }: ActionContext) =>
        isAllowed(decide(actorOf(currentAdmin), resourceId, name, record?.params)),
    };
    if (name === 'list' || name === 'search') action.before = [scopeToRowFilter(resourceId, name), ...toArray(action.before)];
    if (name === 'new' || name === 'edit') action.before = [onlyEditableFields, ...toArray(action.before)];
    actions[name] = action;
  }
  return actions;
}

/** Forces the rule's row filter into the list query, overriding any filter the client sent for those columns. */
function scopeToRowFilter(resourceId: ResourceId, actionName: string) {
  return async (request: ActionRequest, context: ActionContext): Promise<ActionRequest> => {
    const decision = decide(actorOf(context.currentAdmin), resourceId, actionName);
    if (typeof decision !== 'object') return request;
    const query = { ...(request.query ?? {}) };
    for (const [column, value] of Object.entries(decision)) query[`filters.${column}`] = String(value);
    return { ...request, query };
  };
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
