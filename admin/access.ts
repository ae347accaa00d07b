import {
  flat,
  type Action,
  type ActionContext,
  type ActionRequest,
  type ActionResponse,
  type BaseRecord,
  type RecordJSON,
} from 'adminjs';
import type { Actor } from '../src/access/actor.js';
import { decide, isAllowed } from '../src/access/decide.js';
import type { ResourceId } from '../src/access/rules.js';
import { actorOf } from './current-admin.js';
import { auditedWrite, WRITE_ACTIONS, type WriteAction } from './features/audited-writes.js';
import { applyListPageSize } from './features/list-page-size.js';
import { onlyEditableFields } from './features/only-editable-fields.js';

/** AdminJS's own actions; each is denied unless the rule table names it for the role. */
export const BUILT_IN_ACTIONS = ['list', 'search', 'show', 'new', 'edit', 'delete', 'bulkDelete'] as const;

type AnyAction = Partial<Action<ActionResponse>>;

/**
 * Adapts the rule table to AdminJS: every built-in and custom action of the resource gets
 * `isAccessible` from `decide()` (AdminJS enforces it on the server for every API call and hides what
 * is not accessible), `list`/`search` are scoped by the rule's row filter, referenced rows the role may
 * not `show` are left out of every answer, and the built-in writes commit with their audit event
 * (features/audited-writes.ts). No resource sets `isAccessible` by hand.
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
    if (name === 'list' || name === 'search')
      action.before = [scopeToRowFilter(resourceId, name), ...toArray(action.before)];
    if (name === 'list') action.before = [applyListPageSize, ...toArray(action.before)];
    if (name === 'new' || name === 'edit') action.before = [onlyEditableFields, ...toArray(action.before)];
    action.before = [hideForbiddenReferencesBefore, ...toArray(action.before)];
    action.after = [...toArray(action.after), hideForbiddenReferencesAfter];
    actions[name] = action;
  }
  return actions;
}

/**
 * Forces the rule's row filter into the list query, overriding any filter the client sent for those
 * columns, in whatever shape: AdminJS unflattens the query, where a plain `filters=…` (or
 * `filters.<column>.from=…`) would otherwise win over the `filters.<column>` set here.
 */
function scopeToRowFilter(resourceId: ResourceId, actionName: string) {
  return async (request: ActionRequest, context: ActionContext): Promise<ActionRequest> => {
    const decision = decide(actorOf(context.currentAdmin), resourceId, actionName);
    if (typeof decision !== 'object') return request;
    const query = flat.flatten<Record<string, unknown>, Record<string, unknown>>(request.query ?? {});
    const scoped = Object.keys(decision).map((column) => `filters.${column}`);
    for (const key of Object.keys(query)) {
      if (key === 'filters' || scoped.some((path) => key === path || key.startsWith(`${path}.`))) delete query[key];
    }
    for (const [column, value] of Object.entries(decision)) query[`filters.${column}`] = String(value);
    return { ...request, query };
  };
}

/**
 * AdminJS fills a record's references with the whole referenced row (`populated`): a model's creator
 * (a user), a record's scoring job. A role that may not `show` that row gets the id only, as if the
 * row were not there. Before the handler for the rows AdminJS loaded (they also reach error answers),
 * after it for the rows the handler loaded itself (lists, saved records).
 */
async function hideForbiddenReferencesBefore(request: ActionRequest, context: ActionContext): Promise<ActionRequest> {
  const actor = actorOf(context.currentAdmin);
  for (const record of [context.record, ...(context.records ?? [])]) {
    if (!record) continue;
    for (const [path, referenced] of Object.entries(
      record.populated as Record<string, BaseRecord | null | undefined>,
    )) {
      if (referenced && !maySee(actor, referenced.resource.decorate().id(), referenced.params))
        delete record.populated[path];
    }
  }
  return request;
}

async function hideForbiddenReferencesAfter(
  response: ActionResponse,
  _request: ActionRequest,
  context: ActionContext,
): Promise<ActionResponse> {
  const actor = actorOf(context.currentAdmin);
  const decorated = context.resource.decorate();
  const clean = (record: RecordJSON | undefined) => {
    if (!record?.populated) return;
    for (const [path, referenced] of Object.entries(record.populated)) {
      const target = decorated.getPropertyByKey(path.replace(/\.\d+(?=\.|$)/g, ''))?.referenceName();
      if (referenced && !(target && maySee(actor, target, referenced.params))) delete record.populated[path];
    }
  };
  clean(response.record as RecordJSON | undefined);
  for (const record of (response.records ?? []) as RecordJSON[]) clean(record);
  return response;
}

const maySee = (actor: Actor, resourceId: string, params: Record<string, unknown>) =>
  decide(actor, resourceId, 'show', params) === true;

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
