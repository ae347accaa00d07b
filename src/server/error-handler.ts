import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { httpStatusOf as domainStatusOf } from './domain-error-status.js';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '../db/database-unavailable.js';
import { logger } from '../platform/logger.js';

/**
 * The last middleware: domain errors become their status and message; anything else is logged with
 * its request id and answered "Something went wrong (request …)", never a stack, SQL or secret.
 */
export function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction) {
  const requestId = String(res.locals.requestId ?? '');
  if (res.headersSent) {
    logger.error({ err: error, requestId }, 'error after the response started');
    res.end();
    return;
  }
  if (error instanceof DomainError) {
    const status = domainStatusOf(error);
    res.status(status).json({ error: error.code, message: error.message, fields: error.fields, requestId });
    return;
  }
  if (error instanceof ZodError) {
    // A handler that parsed its input with zod directly: the input was wrong, say where.
    const message = error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
      .join('; ');
    res.status(400).json({ error: 'invalid_input', message: `The request is not valid: ${message}.`, requestId });
    return;
  }
  if (isDatabaseUnavailable(error)) {
    logger.warn({ err: error, requestId }, 'database unavailable');
    res.setHeader('Retry-After', String(DATABASE_UNAVAILABLE.retryAfterSeconds));
    res.status(503).json({ error: 'database_unavailable', message: DATABASE_UNAVAILABLE.message, requestId });
    return;
  }
  const status = httpStatusOf(error);
  if (status && status < 500) {
    // AdminJS's own errors (NotFoundError…) keep the short message apart from their doc link.
    const message = (error as { baseMessage?: unknown }).baseMessage ?? (error as Error).message;
    res.status(status).json({
      error: status === 404 ? 'not_found' : 'bad_request',
      message: String(message).trim() || 'The request is not valid.',
      requestId,
    });
    return;
  }
  logger.error({ err: error, requestId, method: req.method, path: req.path }, 'unhandled error');
  const message = `Something went wrong (request ${requestId}). Try again; if it persists, give this request id to an administrator.`;
  if (req.accepts(['json', 'html']) === 'html') {
    res
      .status(500)
      .type('html')
      .send(`<!doctype html><title>Error</title><h1>Something went wrong</h1><p>Request ${requestId}</p>`);
  } else {
    res.status(500).json({ error: 'internal', message, requestId });
  }
}

/** body-parser and friends mark client errors (too large, malformed) with a status. */
function httpStatusOf(error: unknown): number | undefined {
  const status =
    (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
