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
 * Makes AdminJS's HTML safe to nonce, then adds the response's CSP nonce to its inline scripts:
 * 1. AdminJS inlines page state as one line each, `window.REDUX_STATE = <JSON.stringify(…)>;`, and
 *    JSON.stringify leaves `<` as it is: a string holding `</script><script>…` would end the state
 *    script early and start one of its own — which a blanket nonce would then bless. On such lines
 *    every `<` is written `\u003c` (the same character to the script, never markup to the parser).
 *    JSON.stringify writes no raw line break, so a state line cannot be split across lines.
 * 2. Only inline `<script>` tags get the nonce; `<script src>` from this origin is allowed by 'self'.
 * 3. AdminJS's Google Fonts stylesheet link is dropped: the console calls out to no third party (and
 *    this machine class has no network); the system sans-serif font is used instead.
 */
function nonceInlineScripts(_req: Request, res: Response, next: NextFunction) {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const type = String(res.get('Content-Type') ?? '');
    const looksHtml =
      typeof body === 'string' && (type.includes('text/html') || (!type && body.trimStart().startsWith('<')));
    if (looksHtml) return send(withInlineScriptNonce(body, String(res.locals.cspNonce)));
    return send(body);
  };
  next();
}

/** `window.NAME = …;` on a line of its own: how AdminJS's templates inline state. */
const STATE_LINE = /^(\s*window\.[A-Za-z_$][\w$]*\s*=\s*)(.*)$/gm;

export function withInlineScriptNonce(html: string, nonce: string): string {
  return html
    .replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/gi, '')
    .replace(STATE_LINE, (_line, assignment: string, value: string) => assignment + value.replaceAll('<', '\\u003c'))
    .replace(/<script(?=[\s>])(?![^>]*\s(?:nonce|src)=)/gi, `<script nonce="${nonce}"`);
}
