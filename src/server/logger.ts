import { pino, type Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout. Fields that could hold secrets are redacted wherever
 * they appear, so a careless `log.info({ req })` cannot leak a password, cookie or key.
 */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
  redact: {
    paths: [
      'password', '*.password', 'passwordHash', '*.passwordHash', 'secret', '*.secret',
      'req.headers.cookie', 'req.headers.authorization', 'req.headers["x-xsrf-token"]',
      'res.headers["set-cookie"]', 'databaseUrl', '*.databaseUrl',
    ],
    censor: '[redacted]',
  },
});
