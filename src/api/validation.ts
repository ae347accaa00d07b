import type * as z from 'zod';
import { InvalidInput } from '../errors/domain-error.js';
import { HttpProblem, type FieldProblem } from './problem.js';

/** Validates one part of a request; a failure is a 400 problem listing each failing field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'path' | 'query' | 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInput(result.error, value, where);
}

/** The 400 problem for a failed validation of one part of a request. */
export function invalidInput(error: z.ZodError, value: unknown, where: 'path' | 'query' | 'body'): HttpProblem {
  const errors = fieldProblems(error, value, where);
  return new HttpProblem(
    400,
    `${where}.invalid`,
    `The request's ${where === 'path' ? 'path' : where === 'query' ? 'query string' : 'body'} is not valid: ${errors
      .slice(0, 3)
      .map((e) => `${e.path}: ${e.reason}`)
      .join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}.`,
    errors,
  );
}

/** zod issues → `instances[3][7]: must be a number` (unions explained by the branch the value's type picks). */
export function fieldProblems(error: z.ZodError, input: unknown, where: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], base: PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...base, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const value = valueAt(input, path);
        const branch = issue.errors.find((branchIssues) =>
          branchIssues.every((i) => i.path.length > 0 || i.code !== 'invalid_type'),
        );
        if (branch && value !== null && typeof value === 'object') {
          visit(branch, path);
          continue;
        }
      }
      out.push({ path: formatPath(path, where), reason: issue.message });
      if (out.length >= 50) return;
    }
  };
  visit(error.issues, []);
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path)
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function formatPath(path: readonly PropertyKey[], where: string): string {
  if (path.length === 0) return where;
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** Names that reach an object's prototype when a key path is walked (flat's unflatten, qs, `a.b.c` setters). */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** The first part of a key path (`a.b`, `a[b]`, `a~~b`) that names a prototype, if any. */
export function prototypeSegment(key: string): string | undefined {
  return key.split(/[.[\]~]+/).find((segment) => PROTOTYPE_NAMES.has(segment));
}

/**
 * The one query-string rule of every route, API (by key or by session, the predict fast path
 * included) and console: percent-encoding must be valid UTF-8, each parameter is plain text given
 * at most once (no `a[]=`/`a[b]=` lists or objects, no repeats: which of two values counts would be
 * a guess), and no name walks into a prototype. Anything else is a 400 naming the parameter.
 * `search` is the part after `?` (without it).
 */
export function parseQueryString(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeQueryPart(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeQueryPart(pair.slice(eq + 1));
    if (name === '') continue;
    const shown = name.slice(0, 60);
    const reaching = prototypeSegment(name);
    if (reaching)
      throw new InvalidInput(
        'query.forbidden_name',
        `The query parameter "${shown}" names "${reaching}", which is not a parameter of any route: remove it.`,
        { [shown]: 'not a parameter' },
      );
    if (/[[\]]/.test(name)) {
      throw new InvalidInput(
        'query.not_scalar',
        `The query parameter "${shown}" is written as a list or an object: give each parameter once, as plain text (e.g. ${name.split('[', 1)[0]}=value).`,
        { [shown]: 'lists and objects are not accepted' },
      );
    }
    if (Object.hasOwn(out, name))
      throw new InvalidInput(
        'query.repeated',
        `The query parameter "${shown}" is given more than once: give it once.`,
        { [shown]: 'given more than once' },
      );
    out[name] = value;
  }
  return out;
}

/** The query string of a request URL (after `?`, without the fragment), '' without one. */
export function searchOf(url: string | undefined): string {
  const q = (url ?? '').indexOf('?');
  return q < 0 ? '' : url!.slice(q + 1).split('#', 1)[0]!;
}

function decodeQueryPart(part: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new InvalidInput(
      'query.bad_encoding',
      `The query string is not valid percent-encoded UTF-8 near "${part.slice(0, 40)}": encode each name and value with encodeURIComponent.`,
      { query: 'not valid percent-encoded UTF-8' },
    );
  }
  if (decoded.includes('\u0000'))
    throw new InvalidInput(
      'query.nul_character',
      `The query string has a NUL character (%00) near "${part.slice(0, 40)}": remove it.`,
      { query: 'NUL character' },
    );
  return decoded;
}

/**
 * Path parameters as Express decoded them, refused (400) when one holds a NUL character, which no
 * name or id has and Postgres cannot compare with text (its query fails: a 500).
 */
export function checkPathParams(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (value.includes('\u0000'))
      throw new InvalidInput(
        'path.nul_character',
        `The path parameter "${name}" has a NUL character (%00): remove it.`,
        { [name]: 'NUL character' },
      );
  }
}
