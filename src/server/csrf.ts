import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../access/actor.js';
import { recordRefusal } from '../audit/record-refusal.js';
import { loadSessionUser } from '../auth/load-session-user.js';
import { logger } from '../platform/logger.js';

export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'x-xsrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CROSS_SITE = 'Cross-site request refused: it did not come from this site.';

/**
 * CSRF protection for session-authenticated routes (AdminJS has none of its own):
 * 1. Origin check: an unsafe request whose Origin (or Sec-Fetch-Site, or Referer) names another site is refused.
 * 2. Double-submit token: a signed-in session holds a random token, mirrored in the XSRF-TOKEN cookie;
 *    AdminJS's HTTP client copies that cookie into the X-XSRF-TOKEN header, which must match. Paths in
 *    `tokenExempt` (the login form, which has no session yet) rely on the Origin check alone.
 */
export function csrfProtection(options: { tokenExempt: readonly string[] }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.session?.adminUser && !req.session.csrfToken) req.session.csrfToken = randomBytes(32).toString('base64url');
    const token = req.session?.csrfToken;
    if (token && parseCookies(req.headers.cookie ?? '')[CSRF_COOKIE] !== token) {
      res.cookie(CSRF_COOKIE, token, { httpOnly: false, sameSite: 'strict', secure: req.secure, path: '/' });
    }
    const refusal = csrfRefusal(req, { tokenRequired: !options.tokenExempt.includes(req.path) });
    if (refusal) return void refuseAudited(req, res, refusal);
    next();
  };
}

/**
 * Why an unsafe request of a signed-in session must be refused (null: it may go on): it came from
 * another site, or (when `tokenRequired`) lacks the session's token in the X-XSRF-TOKEN header. Also
 * used by the API for calls made with the console's session cookie.
 */
export function csrfRefusal(req: Request, options: { tokenRequired: boolean }): string | null {
  if (!UNSAFE.has(req.method)) return null;
  if (!isSameOrigin(req)) return CROSS_SITE;
  if (!options.tokenRequired) return null;
  const token = req.session?.csrfToken;
  const sent = req.get(CSRF_HEADER) ?? '';
  if (!token || !safeEqual(sent, token))
    return "Missing or invalid CSRF token: reload the page and try again (send the XSRF-TOKEN cookie's value in the X-XSRF-TOKEN header).";
  return null;
}

/**
 * For the few GET routes that change something (logout, exports that are audited): a GET carries no
 * token (AdminJS links and downloads are plain navigations), so only the origin check applies; a
 * request another site made the browser send (an image, a link, a frame) is refused.
 */
export function sameOriginOnly(req: Request, res: Response, next: NextFunction) {
  if (!isSameOrigin(req)) return void refuseAudited(req, res, CROSS_SITE);
  next();
}

/**
 * Audits a CSRF refusal of a signed-in session, through recordRefusal (one format, bounded per
 * minute): who is the session's user (`actor` when the caller already loaded it), what the method
 * and path (never the query string), why the check's message under code `auth.csrf`. A request
 * without a valid signed-in session (no cookie, signed out, the login form) has no "who" and leaves
 * no event: anyone can send those, and they can change nothing.
 */
export async function auditCsrfRefusal(
  req: Request,
  surface: 'console' | 'api',
  message: string,
  actor?: Actor,
): Promise<void> {
  try {
    const who = actor ?? (await sessionActor(req));
    if (!who) return;
    const path = (req.originalUrl ?? req.url).split('?')[0]!.slice(0, 300);
    await recordRefusal(
      who,
      { action: 'http.request', resource: surface, selection: { method: req.method, path } },
      { code: 'auth.csrf', message },
    );
  } catch (error) {
    // The refusal stands either way; a lost event must at least be logged.
    logger.error({ err: error }, 'could not record a CSRF refusal in the audit log');
  }
}

async function sessionActor(req: Request): Promise<Actor | null> {
  const current = req.session?.adminUser;
  if (!current) return null;
  const user = await loadSessionUser(current.id, req.session?.signedInAt ?? 0);
  return user ? { type: 'user', id: user.id, email: user.email, role: user.role } : null;
}

async function refuseAudited(req: Request, res: Response, message: string): Promise<void> {
  await auditCsrfRefusal(req, 'console', message);
  refuse(res, message);
}

function isSameOrigin(req: Request): boolean {
  const own = `${req.protocol}://${req.get('host')}`;
  const origin = req.get('origin');
  if (origin) return origin === own;
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const referer = req.get('referer');
  if (referer) return referer === own || referer.startsWith(`${own}/`);
  // No browser omits all three on a cross-site POST; a client without them (curl) is not a CSRF vector.
  return true;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function refuse(res: Response, message: string) {
  res.status(403).json({ error: 'csrf', message });
}
