import { ConnectionError, DatabaseError } from 'sequelize';

/** What a request that needs the database is answered while it cannot be reached (with status 503). */
export const DATABASE_UNAVAILABLE = {
  retryAfterSeconds: 5,
  message: 'The database cannot be reached right now: retry in a few seconds.',
} as const;

/** Postgres error classes that mean "the server is not there right now", not "your query is wrong". */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether an error means the database cannot be reached (down, restarting, out of connections):
 * answered 503 with Retry-After, not 500. Sequelize's pool reconnects by itself once it is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  const e = error as {
    code?: unknown;
    original?: { code?: unknown };
    parent?: { code?: unknown };
    message?: unknown;
  } | null;
  const code = (error instanceof DatabaseError ? (e?.original?.code ?? e?.parent?.code) : e?.code) ?? e?.original?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code))) return true;
  return (
    typeof e?.message === 'string' &&
    /Connection terminated|Client has encountered a connection error|terminating connection due to administrator command/i.test(
      e.message,
    )
  );
}
