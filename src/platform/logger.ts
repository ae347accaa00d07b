import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { earlyLogLevel } from './config.js';
import { currentRequestContext } from './request-context.js';

/**
 * Fields that could hold secrets, redacted wherever they appear (at the top level or one level
 * down; for request and response objects, in their headers), so a careless `log.info({ req })` or
 * `log.info({ user })` cannot leak a password, cookie, session id, token or key.
 */
export const REDACTED_PATHS: readonly string[] = [
  ...[
    'password',
    'newPassword',
    'passwordHash',
    'secret',
    'secretHash',
    'token',
    'csrfToken',
    'apiKey',
    'session',
    'sessionId',
    'sessionID',
    'sid',
    'cookie',
    'authorization',
    'databaseUrl',
    'connectionString',
    'SESSION_SECRET',
    'METRICS_TOKEN',
    'DATABASE_URL',
  ].flatMap((field) => [field, `*.${field}`]),
  ...['cookie', 'authorization', '["set-cookie"]', '["x-xsrf-token"]', '["x-api-key"]'].flatMap((header) => {
    const path = header.startsWith('[') ? `headers${header}` : `headers.${header}`;
    return [path, `*.${path}`];
  }),
];

/**
 * A JSON-lines logger with the project's redaction, and the current request's id on every line
 * logged while a request is handled (from the request context), whichever module logs it.
 */
export function createLogger(options: { level: Level | 'silent'; destination?: DestinationStream }): Logger {
  const settings = {
    level: options.level,
    base: { pid: process.pid },
    mixin: () => {
      const requestId = currentRequestContext()?.requestId;
      return requestId ? { requestId } : {};
    },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: { err: loggedError },
  };
  // Without a destination: pino's default, stdout.
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * What a logged error shows: its kind, message, code, stack and cause — not every enumerable field
 * (pino's default), which for a database or queue error drags in the whole connection object.
 */
export function loggedError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const { code, detail } = error as { code?: unknown; detail?: unknown };
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
    stack: error.stack,
    ...(error.cause !== undefined && depth < 3 ? { cause: loggedError(error.cause, depth + 1) } : {}),
  };
}

/** The process logger: JSON lines on stdout. Its level follows LOG_LEVEL (see `earlyLogLevel`). */
export const logger: Logger = createLogger({ level: earlyLogLevel() });
