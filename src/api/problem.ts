import { STATUS_CODES } from 'node:http';
import { DomainError, Forbidden } from '../errors/domain-error.js';
import { httpStatusOf } from '../server/domain-error-status.js';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '../db/database-unavailable.js';
import { logger } from '../platform/logger.js';
import type { ApiRequest, ApiResponse } from './http-types.js';
import { recordRefusal, refusalRecorded } from '../audit/record-refusal.js';
import { RouteForbidden, type Caller } from './caller.js';

/** One failing part of the input: where (e.g. `instances[3][7]`) and why. */
export interface FieldProblem {
  path: string;
  reason: string;
}

/** An RFC 9457 problem details body, as every API error is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Stable machine-readable code (also the last part of `type`). */
  code: string;
  requestId?: string;
  errors?: FieldProblem[];
}

/** An error answered with a given status (for what has no domain meaning: 413, 415, 429…). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldProblem[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

export function sendProblem(
  req: ApiRequest,
  res: ApiResponse,
  status: number,
  code: string,
  detail: string,
  errors?: FieldProblem[],
): void {
  const body: Problem = {
    type: `/api/problems/${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0],
    code,
    requestId: res.locals.requestId === undefined ? undefined : String(res.locals.requestId),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="modeldesk"');
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * The API's last middleware: every error in the problem shape. Domain errors keep their code and
 * message (written for the caller; body errors come from json-body.ts as HttpProblems); an unreachable
 * database is 503; anything else is logged with its request id and answered 500 without internals.
 */
export function apiErrorHandler(
  error: unknown,
  req: ApiRequest,
  res: ApiResponse,
  _next: (error?: unknown) => void,
): void {
  if (res.headersSent) {
    logger.error({ err: error, requestId: res.locals.requestId }, 'API error after the response started');
    res.end();
    return;
  }
  if (error instanceof HttpProblem) {
    for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
    return sendProblem(req, res, error.status, error.code, error.message, error.errors);
  }
  if (error instanceof Forbidden && !refusalRecorded(error) && res.locals.caller) {
    // A refusal no service audited on its way out (the route's own scope and role check): audited
    // here, once for every route and the predict fast path, then answered.
    const { actor } = res.locals.caller as Caller;
    const attempt =
      error instanceof RouteForbidden
        ? { action: `${error.attempted.resource}.${error.attempted.action}`, resource: error.attempted.resource }
        : { action: 'http.request', resource: 'api' };
    void recordRefusal(
      actor,
      {
        ...attempt,
        selection: {
          method: req.method,
          path: ('originalUrl' in req && typeof req.originalUrl === 'string' ? req.originalUrl : (req.url ?? '')).split(
            '?',
          )[0],
        },
      },
      error,
    )
      .catch((auditError: unknown) =>
        logger.error({ err: auditError, requestId: res.locals.requestId }, 'could not audit an API refusal'),
      )
      .finally(() => apiErrorHandler(error, req, res, _next));
    return;
  }
  if (error instanceof DomainError) {
    const errors = error.fields ? Object.entries(error.fields).map(([path, reason]) => ({ path, reason })) : undefined;
    return sendProblem(req, res, httpStatusOf(error), error.code, error.message, errors);
  }
  if (isDatabaseUnavailable(error)) {
    logger.warn({ err: error, requestId: res.locals.requestId }, 'database unavailable');
    res.setHeader('Retry-After', String(DATABASE_UNAVAILABLE.retryAfterSeconds));
    return sendProblem(req, res, 503, 'database.unavailable', DATABASE_UNAVAILABLE.message);
  }
  const clientStatus = clientErrorStatusOf(error);
  if (clientStatus !== undefined) {
    // Express's own refusals carry a status: a path parameter that is not percent-encoded UTF-8
    // ("Failed to decode param"), a body parser's limits. They are the caller's mistake, not ours.
    const decoding = error instanceof URIError || /decode param/i.test((error as Error).message);
    return sendProblem(
      req,
      res,
      clientStatus,
      decoding ? 'path.bad_encoding' : 'request.invalid',
      decoding
        ? 'The URL path is not valid percent-encoded UTF-8: encode each path segment with encodeURIComponent.'
        : `The request is not valid: ${(error as Error).message.slice(0, 200)}`,
    );
  }
  logger.error(
    { err: error, requestId: res.locals.requestId, method: req.method, path: (req.url ?? '').split('?')[0] },
    'unhandled API error',
  );
  sendProblem(
    req,
    res,
    500,
    'internal',
    `Something went wrong (request ${String(res.locals.requestId)}). Try again; if it persists, give this request id to an administrator.`,
  );
}

/** The 4xx status an error of Express or a body parser carries (`status`/`statusCode`), else undefined. */
function clientErrorStatusOf(error: unknown): number | undefined {
  if (error instanceof URIError) return 400;
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
