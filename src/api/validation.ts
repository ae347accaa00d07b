import * as z from 'zod';
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
  return new HttpProblem(400, `${where}.invalid`, `The request's ${where === 'path' ? 'path' : where === 'query' ? 'query string' : 'body'} is not valid: ${errors.slice(0, 3).map((e) => `${e.path}: ${e.reason}`).join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}.`, errors);
}

/** zod issues → `instances[3][7]: must be a number` (unions explained by the branch the value's type picks). */
export function fieldProblems(error: z.ZodError, input: unknown, where: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], base: PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...base, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const value = valueAt(input, path);
        const branch = issue.errors.find((branchIssues) => branchIssues.every((i) => i.path.length > 0 || i.code !== 'invalid_type'));
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
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function formatPath(path: readonly PropertyKey[], where: string): string {
  if (path.length === 0) return where;
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
}
