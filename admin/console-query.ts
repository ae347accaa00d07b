import type AdminJS from 'adminjs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidInput, NotFound } from '../src/errors/domain-error.js';
import { parseQueryString, searchOf } from '../src/api/validation.js';
import { ConsoleResource } from './adapter/console-resource.js';
import { MAX_PAGE, MAX_PER_PAGE } from './adapter/list-page.js';

/**
 * AdminJS's API routes that name a resource and an action: `actions/A` (and `actions/A/QUERY`),
 * `records/ID/A`, `bulk/A`, `search/QUERY` (the search action). AdminJS answers an action the
 * resource does not have (e.g. `auditEvents/actions/archive`, a rule of the CLI's), or one of another
 * type (a record action without a record), with a TypeError: a 500.
 */
const ACTION_ROUTES: ReadonlyArray<{ pattern: RegExp; type: 'resource' | 'record' | 'bulk'; action?: string }> = [
  { pattern: /^\/api\/resources\/([^/]+)\/actions\/([^/]+)(?:\/[^/]*)?\/?$/, type: 'resource' },
  { pattern: /^\/api\/resources\/([^/]+)\/records\/([^/]+)\/([^/]+)\/?$/, type: 'record' },
  { pattern: /^\/api\/resources\/([^/]+)\/bulk\/([^/]+)\/?$/, type: 'bulk' },
  { pattern: /^\/api\/resources\/([^/]+)\/search(?:\/[^/]*)?\/?$/, type: 'resource', action: 'search' },
];

/**
 * The console API's query string (and the exports', which list "the current view"), parsed once
 * before AdminJS, the access check or an export sees it: the same
 * rule as the REST API (valid UTF-8, each parameter once and plain text, no prototype names), then
 * paging (`page`, `perPage`, `direction`, `sortBy`) and record ids checked for their shape. AdminJS
 * itself turns `perPage=abc` into LIMIT NaN, `page=1e999` into OFFSET Infinity and `sortBy[]=id`
 * into an ORDER BY of a list: SQL errors, answered 500. Here each is a 400 naming the parameter and
 * what it takes; `req.query` is replaced by the checked values, so AdminJS reads exactly what was checked.
 * Filters are checked against each property's type where they become SQL (admin/adapter/filter-value.ts).
 */
export function checkConsoleQuery(admin: AdminJS): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/api/') && !req.path.startsWith('/exports/')) return next();
    try {
      const query = parseQueryString(searchOf(req.originalUrl));
      checkPaging(query);
      checkActionRoute(admin, req.path, query);
      Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true, enumerable: true });
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** A GET of a route that only answers POST: the client's mistake (405), not the server's. */
export class MethodNotAllowed extends Error {
  readonly status = 405;
}

/**
 * AdminJS's "new" handler throws a plain Error for a GET (a 500): 405 instead. After the access
 * check, so that a role that may not create is still told 403.
 */
export function refuseGetOfNew(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' && /^\/api\/resources\/[^/]+\/actions\/new\/?$/.test(req.path)) {
    return next(new MethodNotAllowed("Creating a record needs POST with the new record's fields."));
  }
  next();
}

function checkPaging(query: Record<string, string>): void {
  const whole = (name: 'page' | 'perPage', max: number) => {
    const text = query[name];
    if (text === undefined) return;
    if (!/^\d{1,9}$/.test(text) || Number(text) < 1 || Number(text) > max) {
      throw new InvalidInput(
        `list.${name === 'page' ? 'page' : 'per_page'}`,
        `${name} must be a whole number from 1 to ${max} (got "${text.slice(0, 40)}").`,
        { [name]: `a whole number from 1 to ${max}` },
      );
    }
  };
  whole('page', MAX_PAGE);
  whole('perPage', MAX_PER_PAGE);
  if (query.direction !== undefined && query.direction !== 'asc' && query.direction !== 'desc') {
    throw new InvalidInput('list.direction', `direction must be asc or desc (got "${query.direction.slice(0, 40)}").`, {
      direction: 'asc or desc',
    });
  }
  if (query.sortBy === '')
    throw new InvalidInput('list.sort_by', 'sortBy must name the property to sort by (or be left out).', {
      sortBy: 'a property name',
    });
}

/** The resource, action and record ids a console API route names exist and fit together; else a 404 or 400 saying which. */
function checkActionRoute(admin: AdminJS, path: string, query: Record<string, string>): void {
  for (const route of ACTION_ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const resourceId = decodePathPart(match[1]!);
    const resource = admin.resources.find((r) => r.decorate().id() === resourceId);
    if (!resource)
      throw new NotFound('console.no_resource', `There is no resource "${resourceId.slice(0, 60)}" in the console.`);
    const name = route.action ?? decodePathPart((route.type === 'record' ? match[3] : match[2])!);
    const decorated = resource.decorate();
    const action = Object.hasOwn(decorated.actions, name) ? decorated.actions[name] : undefined;
    if (!action) {
      throw new NotFound(
        'console.no_action',
        `${decorated.id()} has no action "${name.slice(0, 60)}"; its actions are ${Object.keys(decorated.actions).join(', ')}.`,
      );
    }
    const fits =
      route.type === 'resource'
        ? action.isResourceType()
        : route.type === 'record'
          ? action.isRecordType()
          : action.isBulkType();
    if (!fits) {
      const kind = action.isRecordType()
        ? 'a record action: call it as records/ID/'
        : action.isBulkType()
          ? 'a bulk action: call it as bulk/'
          : 'a resource action: call it as actions/';
      throw new NotFound('console.wrong_action_type', `"${name}" of ${decorated.id()} is ${kind}${name}.`);
    }
    if (resource instanceof ConsoleResource) {
      if (route.type === 'record') checkId(resource, decodePathPart(match[2]!));
      if (route.type === 'bulk' && query.recordIds !== undefined)
        for (const id of query.recordIds.split(',')) checkId(resource, id);
    }
    return;
  }
}

function checkId(resource: ConsoleResource, id: string): void {
  if (!resource.isWellFormedId(id))
    throw new InvalidInput('record.bad_id', resource.malformedIdMessage(id), {
      recordId: 'not an id of this resource',
    });
}

function decodePathPart(part: string): string {
  const decoded = safeDecode(part);
  if (decoded === undefined)
    throw new InvalidInput(
      'path.bad_encoding',
      'The URL path is not valid percent-encoded UTF-8: encode each path segment with encodeURIComponent.',
      { path: 'not valid UTF-8' },
    );
  return decoded;
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
