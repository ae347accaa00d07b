import assert from 'node:assert/strict';

const STRICT_REFERRER_POLICIES = new Set([
  'no-referrer',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
]);

/** One request of the enumeration and the answer it got. */
export interface Answer {
  label: string;
  response: Response;
  body: string;
}

/**
 * The headers every answer must carry, whatever route, status or content type: no framing, no MIME
 * sniffing, a strict referrer policy, scripts only by nonce or from this origin, no X-Powered-By.
 * An HTML page's every inline <script> carries the nonce of its own response's CSP; a <script src>
 * names a file of this origin (allowed by 'self', no nonce needed).
 */
export function assertSecurityHeaders({ label, response, body }: Answer): void {
  const where = `${label} (HTTP ${response.status})`;
  const csp = response.headers.get('content-security-policy') ?? '';
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"], `${where}: CSP frame-ancestors 'none' (CSP: ${csp})`);
  const scriptSources = directives.get('script-src') ?? directives.get('default-src');
  assert.ok(scriptSources, `${where}: the CSP limits scripts (CSP: ${csp})`);
  assert.ok(!scriptSources.includes("'unsafe-inline'"), `${where}: no 'unsafe-inline' scripts`);
  assert.ok(!scriptSources.some((s) => s === '*' || /^https?:$/.test(s)), `${where}: scripts only from named sources`);
  assert.equal(response.headers.get('x-frame-options'), 'DENY', `${where}: X-Frame-Options`);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', `${where}: X-Content-Type-Options`);
  assert.ok(
    STRICT_REFERRER_POLICIES.has(response.headers.get('referrer-policy') ?? ''),
    `${where}: Referrer-Policy ${response.headers.get('referrer-policy')}`,
  );
  assert.equal(response.headers.get('x-powered-by'), null, `${where}: no X-Powered-By`);
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    const nonce = scriptSources.map((s) => /^'nonce-(.+)'$/.exec(s)?.[1]).find(Boolean);
    const tags = body.match(/<script\b[^>]*>/gi) ?? [];
    const inline = tags.filter((tag) => !/\ssrc=/i.test(tag));
    if (inline.length > 0) assert.ok(nonce, `${where}: an HTML page with inline scripts has a nonce in its CSP`);
    for (const tag of inline)
      assert.ok(tag.includes(` nonce="${nonce}"`), `${where}: ${tag} carries the response's nonce`);
    for (const tag of tags.filter((t) => !inline.includes(t))) {
      const src = /\ssrc="([^"]*)"/i.exec(tag)?.[1] ?? '';
      assert.ok(
        scriptSources.includes("'self'") && src !== '' && !/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(src),
        `${where}: ${tag} loads a file of this origin`,
      );
    }
  }
}
