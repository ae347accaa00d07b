import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../src/platform/config.js';
import { loadSessionUser } from '../src/auth/load-session-user.js';
import { recordSignOut } from '../src/auth/record-sign-out.js';
import { verifyLogin } from '../src/auth/verify-login.js';
import { actorOf, toConsoleUser, type ConsoleUser } from './current-admin.js';

/** AdminJS's `authenticate`: check the password, then give the signed-in user a fresh session id. */
export async function authenticate(
  email: string,
  password: string,
  context?: { req: Request },
): Promise<ConsoleUser | null> {
  const user = await verifyLogin(email, password);
  if (!user) return null;
  // @adminjs/express keeps the pre-login session id; a new one defeats session fixation.
  if (context?.req) await rotateSession(context.req);
  if (context?.req) context.req.session.signedInAt = Date.now();
  return toConsoleUser(user);
}

/** New session id, same contents (minus the CSRF token, which is reissued for the new session). */
export async function rotateSession(req: Request): Promise<void> {
  const { redirectTo, adminUser, signedInAt } = req.session;
  await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
  Object.assign(req.session, { redirectTo, adminUser, signedInAt });
}

/**
 * Before every console request: reload the signed-in user, end the session if they were deactivated or
 * deleted, their password changed since sign-in, or it passed the absolute lifetime, and pick up role changes at once (with a
 * new session id, as for any privilege change).
 */
export function refreshSessionUser(config: Config, loginPath: string) {
  const maxAgeMs = config.SESSION_ABSOLUTE_HOURS * 3_600_000;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const current = req.session?.adminUser;
      if (!current) return next();
      const signedInAt = req.session.signedInAt ?? 0;
      const fresh = Date.now() - signedInAt <= maxAgeMs ? await loadSessionUser(current.id, signedInAt) : null;
      if (!fresh) {
        await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
        if (req.path.startsWith('/api/')) {
          res.status(401).json({ error: 'unauthenticated', message: 'Your session has ended: sign in again.' });
        } else {
          res.redirect(loginPath);
        }
        return;
      }
      const next_ = toConsoleUser(fresh);
      if (next_.role !== current.role || next_.email !== current.email) {
        req.session.adminUser = next_;
        await rotateSession(req);
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Records the logout before AdminJS destroys the session. */
export async function auditLogout(req: Request, _res: Response, next: NextFunction) {
  try {
    await recordSignOut(actorOf(req.session?.adminUser));
    next();
  } catch (error) {
    next(error);
  }
}
