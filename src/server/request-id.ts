import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runWithRequestContext } from './request-context.js';

const VALID_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives each request an id (a well-formed incoming X-Request-Id is kept), sends it back, and runs the
 * rest of the request in its context (for logs and the audit log). Express middleware, also called
 * directly by the predict fast path.
 */
export function requestContext(req: IncomingMessage & { ip?: string | undefined }, res: ServerResponse & { locals: Record<string, unknown> }, next: () => void) {
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  res.locals.requestId = requestId;
  runWithRequestContext({ requestId, ip: req.ip, userAgent: req.headers['user-agent'] }, next);
}
