import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers for every response. Scripts run only from this origin or with the per-response
 * nonce: AdminJS renders inline `<script>` tags with page state, so HTML responses get the nonce added
 * to each script tag (see `nonceInlineScripts`). Inline styles stay allowed because styled-components
 * (AdminJS's design system) injects them at run time. Framing is refused outright.
 */
export function securityHeaders() {
  return [
    (_req: Request, res: Response, next: NextFunction) => {
      res.locals.cspNonce = randomBytes(16).toString('base64');
      next();
    },
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
      // Sent by `strictTransportSecurity` below, only on answers that went out over HTTPS.
      strictTransportSecurity: false,
      crossOriginEmbedderPolicy: false,
    }),
    strictTransportSecurity,
    nonceInlineScripts,
  ];
}

/** One year, subdomains included: what browsers' HSTS preload lists ask for. */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/**
 * HSTS on every answer that went out over HTTPS (TLS_CERT/TLS_KEY here, or a terminating proxy that
 * says so with TRUST_PROXY): browsers then refuse plain HTTP to this host for a year. Over plain HTTP
 * it would be ignored, and it would be wrong on a console reached by plain HTTP on purpose.
 */
function strictTransportSecurity(req: Request, res: Response, next: NextFunction) {
  if (req.secure) res.setHeader('Strict-Transport-Security', HSTS_VALUE);
  next();
}

/**
 * The headers of API answers (JSON, never rendered as a page): nothing may load, nothing may frame
 * them. Static, so setting them costs nothing on the predict path.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Adds the response's CSP nonce to every `<script` tag of an HTML body sent with `res.send`, and drops
 * AdminJS's Google Fonts stylesheet link: the console must not call out to third parties (and this
 * machine class has no network); the system sans-serif font is used instead.
 */
function nonceInlineScripts(_req: Request, res: Response, next: NextFunction) {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const type = String(res.get('Content-Type') ?? '');
    const looksHtml = typeof body === 'string' && (type.includes('text/html') || (!type && body.trimStart().startsWith('<')));
    if (looksHtml) {
      const nonce = String(res.locals.cspNonce);
      const html = (body as string)
        .replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/gi, '')
        .replace(/<script(?![^>]*\snonce=)/gi, `<script nonce="${nonce}"`);
      return send(html);
    }
    return send(body);
  };
  next();
}
