import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { bindToRequestContext, runWithRequestContext } from '../platform/request-context.js';

const VALID_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives each request an id (a well-formed incoming X-Request-Id is kept), sends it back, and runs the
 * rest of the request in its context (for logs and the audit log), event listeners on the request and
 * the response included. Express middleware, also called directly by the predict fast path.
 */
export function requestContext(
  req: IncomingMessage & { ip?: string | undefined },
  res: ServerResponse & { locals: Record<string, unknown> },
  next: () => void,
) {
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  res.locals.requestId = requestId;
  // A trusted proxy's X-Forwarded-For is passed on as sent: only a real address is an address.
  const ip = req.ip && isIP(req.ip) ? req.ip : req.socket.remoteAddress;
  const context = { requestId, ip, userAgent: req.headers['user-agent'] };
  bindToRequestContext(req, context);
  bindToRequestContext(res, context);
  runWithRequestContext(context, next);
}
