import cors from 'cors';

/**
 * CORS for /api/v1 only (never the console): browsers on the configured origins may call with a key
 * (`Authorization` header; no cookies: credentials are not allowed cross-origin). Other origins get no
 * CORS headers, so browsers keep the answer from them. None by default.
 */
export function apiCors(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: [
      'API-Version',
      'X-Request-Id',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'RateLimit-Policy',
    ],
    credentials: false,
    maxAge: 600,
  });
}
