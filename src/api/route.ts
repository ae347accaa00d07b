import { OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type * as z from 'zod';
import type { ApiScope } from '../../models/enums.js';
import type { Decision } from '../access/decide.js';
import type { ResourceId } from '../access/rules.js';
import { recordFailure } from '../audit/with-audit.js';
import { Forbidden } from '../errors/domain-error.js';
import { authorize, callerOf } from './caller.js';
import type { ApiResponse } from './http-types.js';
import { bodyOf } from './json-body.js';
import { checkPathParams, parse, parseQueryString, searchOf } from './validation.js';
import { ProblemSchema } from './schemas.js';

type AnyObject = z.ZodObject<z.ZodRawShape>;

/**
 * Who may call a route, declared once in its spec: the key scope it needs (listed in the docs as
 * `x-scope`) and the rule table's resource and action that the caller's role must be allowed.
 */
export interface RouteAccess {
  scope: ApiScope;
  resource: ResourceId;
  action: string;
}

/** A refused call audited as this attempt (with the route's resource) where the route says so. */
export interface RefusedAs {
  action: string;
  recordIds?: number[];
}

type RouteInput<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> = {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
};

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI style, inside the version: `/models/{name}/predict`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Checked after the input is validated and before the handler runs; the handler gets the decision. */
  access: RouteAccess;
  /**
   * A refusal is audited by the API's error handler as `<resource>.<action>`; a write names its
   * audit action (and records) here instead, as the console's refusals of the same write do.
   */
  refusedAs?: (input: RouteInput<P, Q, B>) => RefusedAs;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Validates the body against `body` in steps (e.g. a large list in slices, yielding between them);
   * it must accept exactly what `body` accepts. Default: `body` at once.
   */
  parseBody?: (raw: unknown) => Promise<z.output<B>>;
  /** Status → description and JSON schema of the success answer. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** `decision` is the rule's answer: `true`, or the row filter a list must apply. */
  handler(input: RouteInput<P, Q, B> & { decision: Decision }, req: Request, res: Response): Promise<unknown>;
}

/** Every error status a route may answer, documented once for all. */
const ERROR_RESPONSES: Record<number, string> = {
  400: 'Bad input: `errors` lists each failing field path and why.',
  401: 'No valid credentials (missing, unknown, revoked or expired key).',
  403: "The key lacks the scope, or its owner's role may not do this.",
  404: 'No such object.',
  413: 'The body is over API_MAX_BODY_KB.',
  415: 'The body is not JSON.',
  429: 'Throttled: see Retry-After and RateLimit-* headers.',
  503: 'A dependency is unavailable (e.g. the model failed to load).',
};

/**
 * The one check of a route's access (`authorize`), with the route's own audit of a refusal when it
 * names one. The predict fast path calls it too, with the route's declaration.
 */
export async function authorizeRoute(
  res: Pick<ApiResponse, 'locals'>,
  access: RouteAccess,
  refusedAs?: RefusedAs,
): Promise<Decision> {
  try {
    return authorize(res, access.scope, access.resource, access.action);
  } catch (error) {
    if (refusedAs && error instanceof Forbidden)
      await recordFailure(callerOf(res).actor, { ...refusedAs, resource: access.resource }, error);
    throw error;
  }
}

/**
 * One API version: each route is declared once (method, path, zod schemas, access) and that
 * declaration validates and authorizes requests and describes them in the OpenAPI document. A
 * route's handler returns the JSON body (200, or its first listed status) or answers itself and
 * returns undefined.
 */
export class ApiVersion {
  readonly router: Router = express.Router();
  readonly registry = new OpenAPIRegistry();
  readonly routes: Array<{ method: string; path: string }> = [];

  constructor(readonly name: string) {
    this.registry.registerComponent('securitySchemes', 'apiKey', {
      type: 'http',
      scheme: 'bearer',
      description: 'An API key: `Authorization: Bearer mdk_…`.',
    });
  }

  add<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): void {
    const path = `/api/${this.name}${spec.path}`;
    this.routes.push({ method: spec.method, path });
    const request: RouteConfig['request'] = {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
    };
    const successStatus = Number(Object.keys(spec.responses)[0] ?? 200);
    this.registry.registerPath({
      method: spec.method,
      path,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      security: [{ apiKey: [] }],
      'x-scope': spec.access.scope,
      request,
      responses: {
        ...Object.fromEntries(
          Object.entries(spec.responses).map(([status, r]) => [
            status,
            {
              description: r.description,
              ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}),
            },
          ]),
        ),
        ...Object.fromEntries(
          Object.entries(ERROR_RESPONSES).map(([status, description]) => [
            status,
            { description, content: { 'application/problem+json': { schema: ProblemSchema } } },
          ]),
        ),
      },
    });
    const expressPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
    this.router[spec.method](expressPath, async (req: Request, res: Response, next: NextFunction) => {
      try {
        // The raw query string, not Express's qs result (which turns repeats into lists and `a[b]` into
        // objects): one parser and one rule for every route and the predict fast path.
        const query = parseQueryString(searchOf(req.originalUrl));
        checkPathParams(req.params);
        const input = {
          params: spec.params ? parse(spec.params, req.params, 'path') : {},
          query: spec.query ? parse(spec.query, query, 'query') : {},
          body: spec.parseBody
            ? await spec.parseBody(bodyOf(req))
            : spec.body
              ? parse(spec.body, bodyOf(req), 'body')
              : undefined,
        } as RouteInput<P, Q, B>;
        const decision = await authorizeRoute(res, spec.access, spec.refusedAs?.(input));
        const result = await spec.handler({ ...input, decision }, req, res);
        if (result !== undefined && !res.headersSent) res.status(successStatus).json(result);
      } catch (error) {
        next(error);
      }
    });
  }
}
