import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../access/actor.js';
import type { KeyAuthenticator } from '../auth/api-keys/authenticate-key.js';
import { loadSessionUser } from '../auth/load-session-user.js';
import { Forbidden, Unauthenticated } from '../errors/domain-error.js';
import { auditCsrfRefusal, csrfRefusal } from '../server/csrf.js';
import type { Caller } from './caller.js';
import type { ApiHandler } from './http-types.js';

export interface AuthenticateOptions {
  keys: KeyAuthenticator;
  /** The console's session middleware (Postgres store), run only for calls without a bearer key. */
  session: RequestHandler;
  sessionCookieName: string;
  sessionMaxAgeMs: number;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Finds the caller: `Authorization: Bearer <key>` (no session lookup, no CSRF: a key is not sent by
 * browsers on their own), else the console's session cookie, for same-origin calls such as the API
 * explorer's; writes through a session need the CSRF token, like the console's own.
 */
export function authenticate(options: AuthenticateOptions): ApiHandler {
  const bySession = sessionCaller(options);
  return (req, res, next) => {
    const authorization = req.headers.authorization;
    const found =
      authorization !== undefined
        ? keyCaller(options.keys, authorization)
        : // Only requests routed through Express get here: the fast path takes keyed calls only.
          bySession(req as Request, res as unknown as Response);
    found.then((caller) => {
      res.locals.caller = caller;
      next();
    }, next);
  };
}

async function keyCaller(keys: KeyAuthenticator, authorization: string): Promise<Caller> {
  const match = BEARER.exec(authorization);
  if (!match) throw new Unauthenticated('auth.malformed_header', 'Send the key as "Authorization: Bearer mdk_…".');
  const holder = await keys.authenticate(match[1]!);
  return {
    actor: holder.actor,
    scopes: holder.scopes,
    limiterKey: `key:${holder.actor.id}`,
    rateLimit: holder.rateLimit,
  };
}

function sessionCaller(options: AuthenticateOptions) {
  return async (req: Request, res: Response): Promise<Caller> => {
    if (!req.headers.cookie?.includes(`${options.sessionCookieName}=`)) throw noCredentials();
    await new Promise<void>((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the session store's error, as it came
      options.session(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
    });
    const current = req.session?.adminUser;
    const signedInAt = req.session?.signedInAt ?? 0;
    const user =
      current && Date.now() - signedInAt <= options.sessionMaxAgeMs
        ? await loadSessionUser(current.id, signedInAt)
        : null;
    if (!user) throw noCredentials();
    const actor: Actor = { type: 'user', id: user.id, email: user.email, role: user.role };
    const refusal = csrfRefusal(req, { tokenRequired: true });
    if (refusal) {
      await auditCsrfRefusal(req, 'api', refusal, actor);
      throw new Forbidden('auth.csrf', refusal);
    }
    return { actor, scopes: 'session', limiterKey: `user:${user.id}`, rateLimit: null };
  };
}

function noCredentials(): Unauthenticated {
  return new Unauthenticated(
    'auth.required',
    'This call needs credentials: send "Authorization: Bearer <API key>" (an administrator issues keys under Access → API keys), or sign in to the console for same-origin calls.',
  );
}
