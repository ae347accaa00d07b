import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runWithRequestContext } from './request-context.js';

const VALID_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Gives each request an id (a well-formed incoming X-Request-Id is kept) and its context for the audit log. */
export function requestContext(req: Request, res: Response, next: NextFunction) {
  const incoming = req.get('x-request-id');
  const requestId = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  res.locals.requestId = requestId;
  runWithRequestContext({ requestId, ip: req.ip, userAgent: req.get('user-agent') }, next);
}
