import type { ApiScope } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { decide, isAllowed, type Decision } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import type { ResourceId } from '../access/rules.js';
import { Forbidden } from '../errors/domain-error.js';
import type { ApiResponse } from './http-types.js';

/** Who is calling the API, as `authenticate` found out. */
export interface Caller {
  actor: Actor;
  /** A key's scopes; a console session is limited by its role only. */
  scopes: ReadonlySet<ApiScope> | 'session';
  /** What the rate limiter counts under. */
  limiterKey: string;
  /** Requests per minute (a key's own limit), or null for the server default. */
  rateLimit: number | null;
}

export function callerOf(res: Pick<ApiResponse, 'locals'>): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('callerOf() before authenticate');
  return caller;
}

/** A refusal by `authorize`: what was attempted, for the audit event the API's error mapper writes. */
export class RouteForbidden extends Forbidden {
  constructor(
    code: string,
    message: string,
    readonly attempted: { resource: ResourceId; action: string },
  ) {
    super(code, message);
  }
}

/**
 * The one check of every API route: the key holds `scope` (sessions have no scopes) and the rule
 * table lets the caller's role do `action` on `resource`. Answers the rule's decision (a row filter
 * for lists) or throws 403 saying what is missing.
 */
export function authorize(
  res: Pick<ApiResponse, 'locals'>,
  scope: ApiScope,
  resource: ResourceId,
  action: string,
  record?: Record<string, unknown>,
): Decision {
  const caller = callerOf(res);
  if (caller.scopes !== 'session' && !caller.scopes.has(scope)) {
    throw new RouteForbidden(
      'auth.missing_scope',
      `This API key lacks the "${scope}" scope: ask an administrator for a key with it.`,
      { resource, action },
    );
  }
  const decision = decide(caller.actor, resource, action, record);
  if (!isAllowed(decision)) {
    throw new RouteForbidden('auth.role_forbidden', refusalMessage(caller.actor, resource, action), {
      resource,
      action,
    });
  }
  return decision;
}
