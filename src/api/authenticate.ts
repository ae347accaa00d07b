import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { KeyAuthenticator } from '../api-keys/authenticate-key.js';
import { loadSessionUser } from '../auth/load-session-user.js';
import { Forbidden, Unauthenticated } from '../errors/domain-error.js';
import { csrfRefusal } from '../server/csrf.js';
import type { Caller } from './caller.js';

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
export function authenticate(options: AuthenticateOptions) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const authorization = req.headers.authorization;
      if (authorization !== undefined) {
        const match = BEARER.exec(authorization);
        if (!match) throw new Unauthenticated('auth.malformed_header', 'Send the key as "Authorization: Bearer mdk_…".');
        const holder = await options.keys.authenticate(match[1]!);
        res.locals.caller = { actor: holder.actor, scopes: holder.scopes, limiterKey: `key:${holder.actor.id}`, rateLimit: holder.rateLimit } satisfies Caller;
        return next();
      }
      if (!req.headers.cookie?.includes(`${options.sessionCookieName}=`)) throw noCredentials();
      await new Promise<void>((resolve, reject) => options.session(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
      const current = req.session?.adminUser;
      const signedInAt = req.session?.signedInAt ?? 0;
      const user = current && Date.now() - signedInAt <= options.sessionMaxAgeMs ? await loadSessionUser(current.id, signedInAt) : null;
      if (!user) throw noCredentials();
      const refusal = csrfRefusal(req, { tokenRequired: true });
      if (refusal) throw new Forbidden('auth.csrf', refusal);
      res.locals.caller = { actor: { type: 'user', id: user.id, email: user.email, role: user.role }, scopes: 'session', limiterKey: `user:${user.id}`, rateLimit: null } satisfies Caller;
      next();
    } catch (error) {
      next(error);
    }
  };
}

function noCredentials(): Unauthenticated {
  return new Unauthenticated('auth.required', 'This call needs credentials: send "Authorization: Bearer <API key>" (an administrator issues keys under Access → API keys), or sign in to the console for same-origin calls.');
}
