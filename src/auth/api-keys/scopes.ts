import type { ApiScope } from '../../../models/enums.js';
import type { Actor } from '../../access/actor.js';
import { decide, isAllowed } from '../../access/decide.js';
import type { ResourceId } from '../../access/rules.js';

/**
 * What each scope opens, as rules of the table: a key may do something only when its scope is listed
 * AND its owner's role may (the rule table decides). A scope none of whose rules the owner's role
 * passes would be a key that can do nothing with it: refused when the key is issued.
 */
export const SCOPE_RULES: Readonly<Record<ApiScope, ReadonlyArray<readonly [ResourceId, string]>>> = {
  predict: [['models', 'predict']],
  'records:read': [
    ['records', 'list'],
    ['datasets', 'list'],
  ],
  'records:write': [
    ['records', 'new'],
    ['records', 'edit'],
    ['records', 'delete'],
  ],
  'models:write': [['modelVersions', 'promote']],
  'jobs:write': [
    ['models', 'score'],
    ['models', 'train'],
    ['jobs', 'cancel'],
  ],
};

export const SCOPE_HELP: Readonly<Record<ApiScope, string>> = {
  predict: 'call POST /api/v1/models/{name}/predict',
  'records:read': 'read datasets and records',
  'records:write': 'create, change and delete records',
  'models:write': 'promote a version to an alias',
  'jobs:write': 'queue scoring and training jobs, cancel jobs',
};

/** The scopes of `scopes` the actor's role can use for none of their rules. */
export function unusableScopes(actor: Actor, scopes: readonly ApiScope[]): ApiScope[] {
  return scopes.filter(
    (scope) => !SCOPE_RULES[scope].some(([resource, action]) => isAllowed(decide(actor, resource, action))),
  );
}
