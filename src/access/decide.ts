import { roleOf, type Actor } from './actor.js';
import type { RowFilter } from './rule.js';
import { RULES, type AccessTable } from './rules.js';

/** `false`: denied. `true`: allowed. A filter: allowed on the rows it matches (lists are scoped by it). */
export type Decision = boolean | RowFilter;

/** The only reader of the rule table. With a record, the answer is a plain yes or no for that row. */
export function decide(
  actor: Actor,
  resource: string,
  action: string,
  record?: Readonly<Record<string, unknown>>,
  table: AccessTable = RULES,
): Decision {
  const role = roleOf(actor);
  if (!role) return false;
  const rule = table[resource]?.[action]?.[role];
  if (!rule) return false;
  const decision = rule({ actor, record });
  if (record === undefined || typeof decision === 'boolean') return decision;
  return matchesFilter(record, decision);
}

export function isAllowed(decision: Decision): boolean {
  return decision !== false;
}

export function matchesFilter(record: Readonly<Record<string, unknown>>, filter: RowFilter): boolean {
  return Object.entries(filter).every(
    ([key, value]) => record[key] !== undefined && String(record[key]) === String(value),
  );
}
