import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';

const require = createRequire(import.meta.url);
const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ModelDesk API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`;

// Calls made from the explorer while signed in to the console use the session cookie; writes then need
// the console's CSRF token, which the XSRF-TOKEN cookie holds. With "Authorize" (a key) it is not used.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  requestInterceptor: function (request) {
    var match = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]*)/);
    if (match) request.headers['X-XSRF-TOKEN'] = decodeURIComponent(match[1]);
    return request;
  }
});
`;

/**
 * `/api/docs`: Swagger UI from the swagger-ui-dist package (no CDN), reading /api/openapi.json. No
 * inline script, so the site's Content-Security-Policy holds. Try-it-out calls go to this origin with
 * the console session (signed in) or a key entered under "Authorize".
 */
export function docsRouter(): Router {
  const router = express.Router();
  router.get('/api/docs', (_req, res) => res.type('html').send(PAGE));
  router.get('/api/docs/init.js', (_req, res) => res.type('application/javascript').send(INIT));
  router.get('/api/docs/assets/:file', (req, res, next) => {
    const file = req.params.file;
    if (!ASSETS.has(file)) return next();
    res.sendFile(path.join(swaggerUiDir, file), { maxAge: '1d' });
  });
  return router;
}
