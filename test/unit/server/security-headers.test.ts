import assert from 'node:assert/strict';
import { withInlineScriptNonce } from '../../../src/server/security-headers.js';

/** The shape of AdminJS's layout template, with a hostile string inside the inlined state. */
const page = (state: unknown) => `<!DOCTYPE html>
<html><head>
  <script>
    window.REDUX_STATE = ${JSON.stringify(state)};
    window.AdminJS = { Components: {} };
  </script>
  <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
  <script src="/admin/frontend/assets/app.bundle.js"></script>
</head><body><div id="app" /><script>
  root.render(AdminJS.Application);
</script></body></html>`;

describe('security headers: the nonce of inline scripts', () => {
  it("nonces exactly the template's inline scripts, even when the state holds a closing script tag", () => {
    const html = withInlineScriptNonce(
      page({ user: { name: '</script><script>window.__xss=1</script><!--' } }),
      'N0NCE',
    );
    assert.equal(html.match(/<script nonce="N0NCE">/g)?.length, 2, 'the two inline scripts of the template');
    assert.doesNotMatch(html, /<\/script><script/, 'the state cannot close its script');
    assert.match(html, /\\u003c\/script>\\u003cscript>window.__xss=1/);
    assert.match(
      html,
      /<script src="\/admin\/frontend\/assets\/app.bundle.js"><\/script>/,
      'same-origin files need no nonce',
    );
    assert.doesNotMatch(html, /fonts\.googleapis\.com/);
  });

  it('keeps the state the same value to the script that reads it', () => {
    const state = { text: 'a < b </script> <!-- c', nested: ['<img src=x onerror=alert(1)>'] };
    const html = withInlineScriptNonce(page(state), 'N');
    const line = /window\.REDUX_STATE = (.*);$/m.exec(html)![1]!;
    assert.deepEqual(JSON.parse(line), state);
  });
});
