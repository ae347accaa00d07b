import { createRequire } from 'node:module';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidInput } from '../src/errors/domain-error.js';
import { prototypeSegment } from '../src/api/validation.js';

/** express-formidable, which @adminjs/express parses bodies with; it skips a body parsed already. */
const expressFormidable = createRequire(import.meta.url)('express-formidable') as (options: {
  maxFileSize: number;
}) => RequestHandler;

type ParsedForm = Request & { fields?: Record<string, unknown>; files?: Record<string, unknown> };

/**
 * Parses a signed-in user's console form (JSON, urlencoded or multipart) with the options AdminJS
 * would use, before AdminJS does, and refuses (400) a field name that walks into a prototype
 * (`__proto__.x`, `a.constructor.prototype`, `x[__proto__]`) anywhere in its dotted path, or a JSON
 * object that has one: AdminJS's flat/unflatten and the handlers must never see one. A NUL
 * character in a name or value is refused too (Postgres refuses it in text: a 500). Upload routes
 * are parsed earlier with their own limit (admin/uploads.ts); AdminJS's own parser then skips them all.
 */
export function checkConsoleForm(options: { maxFileSize: number }): RequestHandler {
  const parse = expressFormidable(options);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !req.path.startsWith('/api/') || !req.session?.adminUser) return next();
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      const form = req as ParsedForm;
      const found = prototypeKeyIn(form.fields) ?? prototypeKeyInFiles(form.files);
      if (found !== undefined) {
        return next(
          new InvalidInput(
            'form.forbidden_name',
            `The form field "${found.slice(0, 60)}" names a prototype (__proto__, constructor or prototype), which no field of any form has: remove it.`,
            { [found.slice(0, 60)]: 'not a field' },
          ),
        );
      }
      const nul = nulIn(form.fields);
      if (nul !== undefined)
        return next(
          new InvalidInput(
            'form.nul_character',
            `The form field "${nul.slice(0, 60)}" has a NUL character: text cannot contain one (Postgres cannot store it); remove it.`,
            { [nul.slice(0, 60)]: 'NUL character' },
          ),
        );
      next();
    });
  };
}

/** The first key path in `value` (own keys, nested objects included) that reaches a prototype; also an object whose prototype was replaced (a `__proto__` key assigned by a parser). */
function prototypeKeyIn(value: unknown, prefix = '', depth = 0): string | undefined {
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null)
    return `${prefix ? `${prefix}.` : ''}__proto__`;
  for (const key of Object.keys(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (prototypeSegment(key) !== undefined) return path;
    const nested = prototypeKeyIn((value as Record<string, unknown>)[key], path, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** The uploaded files' field names (the files themselves are formidable's own objects). */
function prototypeKeyInFiles(files: Record<string, unknown> | undefined): string | undefined {
  if (!files) return undefined;
  if (Object.getPrototypeOf(files) !== Object.prototype) return '__proto__';
  return Object.keys(files).find((key) => prototypeSegment(key) !== undefined);
}

/** The path of the first name or text value holding a NUL character, if any. */
function nulIn(value: unknown, prefix = '', depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? prefix || 'value' : undefined;
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const key of Object.keys(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (key.includes('\u0000')) return path;
    const nested = nulIn((value as Record<string, unknown>)[key], path, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
